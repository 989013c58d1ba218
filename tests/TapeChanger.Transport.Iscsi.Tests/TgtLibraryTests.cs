using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Transport;

namespace TapeChanger.Transport.Iscsi.Tests;

public sealed class TgtLibraryTests(TgtLibraryFixture tgt) : IClassFixture<TgtLibraryFixture>
{
    private async Task<SmcClient> OpenAsync()
    {
        var t = await new IscsiTransportFactory().OpenAsync(tgt.Address!, new TransportOpenContext(Path.GetTempPath()));
        return new SmcClient(t);
    }

    [TgtFact]
    public async Task Inquiry_identifies_the_changer()
    {
        await using var smc = await OpenAsync();
        var inq = await smc.InquiryAsync();
        Assert.Equal(0x08, inq.PeripheralDeviceType);
    }
}
