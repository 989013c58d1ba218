using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Testing;
using TapeChanger.Transport;
using TapeChanger.Virtual;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// TapeDrive.TapeAlertsAsync: the TapeAlert response page 12h where the drive lists it in page 00h (the read leaves the
/// flags set), page 2Eh otherwise (cleared by the read: the report says so), nothing on a drive with no log pages (tgt).
/// </summary>
public sealed class TapeAlertPageTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-tapealert-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    /// <summary>
    /// A drive that answers LOG SENSE from a table (page code → reply), CHECK CONDITION 05/20/00 (any other command, or
    /// every command when <paramref name="logSense"/> is false) or 05/24/00 (a page not in the table) otherwise.
    /// </summary>
    private static ScriptedTransport ScriptedDrive(Dictionary<int, byte[]> pages, bool logSense = true) => new()
    {
        Device = "scripted",
        Answer = (command, dataIn) =>
        {
            if (command.Cdb[0] != 0x4D || !logSense) return SenseBuilder.Check(0x05, 0x20, 0x00);               // INVALID COMMAND OPERATION CODE
            if (!pages.TryGetValue(command.Cdb[2] & 0x3F, out var reply)) return SenseBuilder.Check(0x05, 0x24, 0x00); // INVALID FIELD IN CDB
            int n = Math.Min(reply.Length, dataIn.Length);
            reply.AsSpan(0, n).CopyTo(dataIn.Span);
            return ScsiResult.Good(n);
        },
    };

    /// <summary>The CDBs sent, as lower-case hex.</summary>
    private static List<string> Cdbs(ScriptedTransport t) => t.Sent.Select(c => Convert.ToHexString(c.Cdb).ToLowerInvariant()).ToList();

    private static TapeDrive Drive(IScsiTransport t) => new(0, new DriveCandidate("scripted", "S1"), new SmcClient(t) { IsDrive = true });

    /// <summary>Page 12h with flags 20 (bit 3 of byte 2 of the field) and 64 set.</summary>
    private static readonly byte[] Response20 = [0x12, 0, 0, 12, 0, 0, 0x40, 8, 0, 0, 0x10, 0, 0, 0, 0, 0x01];

    private static byte[] Page2E(params int[] set)
    {
        var d = new byte[4 + 64 * 5];
        d[0] = 0x2E; d[2] = (64 * 5) >> 8; d[3] = (64 * 5) & 0xFF;
        for (int i = 0; i < 64; i++)
        {
            d[4 + 5 * i + 1] = (byte)(i + 1); d[4 + 5 * i + 2] = 0xC0; d[4 + 5 * i + 3] = 1;
            d[4 + 5 * i + 4] = set.Contains(i + 1) ? (byte)1 : (byte)0;
        }
        return d;
    }

    [Fact]
    public async Task A_drive_listing_page_12h_is_read_there_and_page_00h_is_asked_once()
    {
        var t = ScriptedDrive(new() { [0x00] = [0x00, 0, 0, 3, 0x00, 0x12, 0x2E], [0x12] = Response20, [0x2E] = Page2E(5) });
        await using var drive = Drive(t);
        var first = await drive.TapeAlertsAsync();
        var second = await drive.TapeAlertsAsync();
        Assert.Equal([20, 64], first!.Active.Select(f => f.Number));
        Assert.Equal("Cleaning required", first.Active[0].Name);
        Assert.Equal((byte)0x12, first.PageCode);
        Assert.False(first.ClearedByRead);
        Assert.Equal([20, 64], second!.Active.Select(f => f.Number));
        // 00h (PC=01b: 40h) once, then 12h (52h) each time; page 2Eh never.
        Assert.Equal(["4d004000000000010000", "4d005200000000004000", "4d005200000000004000"], Cdbs(t));
    }

    [Fact]
    public async Task A_drive_without_page_12h_is_read_through_2Eh_and_the_report_says_the_read_cleared_it()
    {
        var t = ScriptedDrive(new() { [0x00] = [0x00, 0, 0, 2, 0x00, 0x2E], [0x2E] = Page2E(21) });
        await using var drive = Drive(t);
        var r = await drive.TapeAlertsAsync();
        Assert.Equal([21], r!.Active.Select(f => f.Number));
        Assert.True(r.ClearedByRead);
        Assert.Equal(["4d004000000000010000", "4d006e00000000040000"], Cdbs(t));
    }

    [Fact]
    public async Task A_drive_listing_12h_that_refuses_it_falls_back_to_2Eh()
    {
        var t = ScriptedDrive(new() { [0x00] = [0x00, 0, 0, 2, 0x00, 0x12], [0x2E] = Page2E(20) });
        await using var drive = Drive(t);
        var r = await drive.TapeAlertsAsync();
        Assert.Equal([20], r!.Active.Select(f => f.Number));
        Assert.Equal((byte)0x2E, r.PageCode);
    }

    [Fact]
    public async Task A_drive_without_log_sense_like_tgt_has_no_tapealert()
    {
        var t = ScriptedDrive([], logSense: false);
        await using var drive = Drive(t);
        Assert.Null(await drive.TapeAlertsAsync());
        Assert.Equal(2, t.Sent.Count);                                 // 00h, then 2Eh: both refused
    }

    [Fact]
    public async Task The_virtual_drive_answers_12h_without_clearing_and_2Eh_clears()
    {
        var lib = (VirtualTransport)await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse("virtual:"), new TransportOpenContext(_state));
        lib.Library.SetDriveTapeAlert(1, 1UL << 19);                   // flag 20 on drive 1 (LUN 1)
        await using var client = new SmcClient(lib.OpenLun(1)) { IsDrive = true };
        Assert.Contains((byte)0x12, await client.SupportedLogPagesAsync());
        Assert.Equal([20], (await client.TapeAlertResponseAsync(TapeAlertSource.Drive)).Active.Select(f => f.Number));
        Assert.Equal([20], (await client.TapeAlertResponseAsync(TapeAlertSource.Drive)).Active.Select(f => f.Number));   // still set
        Assert.Equal([20], (await client.TapeAlertsAsync(TapeAlertSource.Drive)).Active.Select(f => f.Number));
        Assert.Empty((await client.TapeAlertResponseAsync(TapeAlertSource.Drive)).Active);                                // 2Eh cleared it
        await lib.DisposeAsync();
    }
}
