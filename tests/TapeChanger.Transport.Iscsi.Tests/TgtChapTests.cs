using TapeChanger.Scsi;
using TapeChanger.Transport;

namespace TapeChanger.Transport.Iscsi.Tests;

/// <summary>A tgt library whose target requires CHAP (tgtadm --mode account ... --op bind).</summary>
public sealed class TgtChapLibraryFixture : TgtLibraryFixture
{
    public const string User = "tcuser";
    public const string Secret = "tc-secret-12345";

    protected override IReadOnlyDictionary<string, string> ExtraEnvironment() =>
        new Dictionary<string, string> { ["TGT_CHAP_USER"] = User, ["TGT_CHAP_SECRET"] = Secret };
}

public sealed class TgtChapTests(TgtChapLibraryFixture tgt) : IClassFixture<TgtChapLibraryFixture>
{
    private static readonly TransportOpenContext Context = new(Path.GetTempPath());

    [TgtFact]
    public async Task Chap_login_with_the_right_secret()
    {
        var address = tgt.Address! with { User = TgtChapLibraryFixture.User, Password = TgtChapLibraryFixture.Secret };
        await using var smc = new SmcClient(await new IscsiTransportFactory().OpenAsync(address, Context));
        Assert.True((await smc.InquiryAsync()).IsMediumChanger);
    }

    [TgtFact]
    public async Task Chap_login_with_a_wrong_secret_is_refused()
    {
        var address = tgt.Address! with { User = TgtChapLibraryFixture.User, Password = "wrong-secret-123" };
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await new IscsiTransportFactory().OpenAsync(address, Context));
        Assert.Equal(TransportFailure.PermissionDenied, e.Failure);
        Assert.Contains("authentication failure", e.Message);
    }

    [TgtFact]
    public async Task No_credentials_on_a_chap_target_is_refused()
    {
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await new IscsiTransportFactory().OpenAsync(tgt.Address!, Context));
        Assert.Equal(TransportFailure.PermissionDenied, e.Failure);
    }
}
