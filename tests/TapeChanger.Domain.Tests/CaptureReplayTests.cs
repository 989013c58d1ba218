using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;
using TapeChanger.Transport.Replay;

namespace TapeChanger.Domain.Tests;

/// <summary>The real SmcClient and MediaChanger over replayed captures (tests/Fixtures/replay/*.replay).</summary>
public class CaptureReplayTests
{
    private static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "replay", name);

    /// <summary>INQUIRY through a plain client, profile selection, then a session with the profile's quirks (as the CLI does).</summary>
    private static async Task<(MediaChanger Changer, ProfileSelection Profile, CaptureReplayTransport Transport)> Open(string script)
    {
        var transport = CaptureReplayTransport.FromFile(Script(script));
        var inq = await new SmcClient(transport).InquiryAsync();
        var profile = HardwareProfiles.Select(inq.Vendor, inq.Product, inq.Revision);
        var changer = new MediaChanger(new SmcClient(transport, quirks: profile.Profile.ToQuirks()));
        return (changer, profile, transport);
    }

    [Fact]
    public async Task Msl3040_status_from_the_real_capture()
    {
        var (changer, profile, transport) = await Open("hpe-msl3040-lib1.replay");
        Assert.Equal("hpe-msl3040", profile.Profile.Name);
        Assert.True(changer.Client.Quirks.CurrentData);

        var status = await changer.GetStatusAsync();
        // MSL3040 capture (archivetechie/remanence@56139ae0): 2 Drives, 40 Slots (0 Import/Export)
        Assert.Equal((2, 40, 0), (status.Map.Drives.Count, status.Map.Storage.Count, status.Map.ImportExport.Count));
        Assert.Equal(43, status.Elements.Count);
        var slot1 = status.Elements.Single(e => e.Address == 1001);
        Assert.Equal(("CLNU01L9", MediumType.Cleaning, true, false), (slot1.Barcode, slot1.MediumType, slot1.IsCleaner, slot1.Except));
        var drives = status.Elements.Where(e => e.Type == ElementType.DataTransfer).OrderBy(e => e.Address).ToList();
        // mtx: drive 0 loaded from storage element 34 (S30002L9), drive 1 from 6 (Z20001L9): addresses 1001 + n - 1.
        Assert.Equal(("S30002L9", (ushort?)1034), (drives[0].Barcode, drives[0].Source));
        Assert.Equal(("Z20001L9", (ushort?)1006), (drives[1].Barcode, drives[1].Source));
        Assert.False(status.Elements.Single(e => e.Address == 1003).Full);       // mtx: Storage Element 3: Empty
        // MODE SENSE(6) was never captured: answered 05/20/00, so the client fell back to MODE SENSE(10).
        Assert.Contains(transport.Unmatched, c => c.StartsWith("1a", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Msl3040_first_read_after_attach_gets_the_recorded_unit_attention_and_the_client_retries()
    {
        var transport = CaptureReplayTransport.FromFile(Script("hpe-msl3040-lib1.replay"));
        var client = new SmcClient(transport);
        var recorded = new ScsiCommand("READ ELEMENT STATUS", Convert.FromHexString("b81000000100020100000000"), DataDirection.In, 0x10000, CommandTimeouts.Default);
        var data = await client.ExecuteAsync(recorded);
        Assert.Equal(1, client.UnitAttentionsSeen);                  // 06/28/00, MSL3040 capture, 162817Z run
        var report = ElementStatusDecoder.Decode(data.Span);
        Assert.Equal(43, report.Elements.Count);
    }

    [Fact]
    public async Task Msl3040_capabilities_and_tapealert_replay()
    {
        var (changer, _, _) = await Open("hpe-msl3040-lib1.replay");
        var caps = await changer.Client.DeviceCapabilitiesAsync();
        Assert.NotNull(caps);
        Assert.True(caps!.CanStore(ElementType.Storage));
        var alerts = await changer.Client.TapeAlertsAsync(TapeAlertSource.Changer);
        Assert.Equal(64, alerts.ParametersDecoded);                  // MSL3040-cap: 64 flags, 5 bytes each
        Assert.False(alerts.Truncated);
    }

    [Fact]
    public async Task Tgt_replay_selects_the_stk_profile_that_is_kept_safe_for_tgt()
    {
        var (changer, profile, _) = await Open("tgt-stk-l700.replay");
        // tools/tgt-library.sh gives tgt mhVTL's identity, so the shared profile must be per-type (docs/reference/tgt.md §4 bug 3).
        Assert.Equal("mhvtl-stk-l-series", profile.Profile.Name);
        Assert.Equal(ReadElementStatusStrategy.PerType, changer.Client.Quirks.ReadStrategy);
        var map = await changer.GetMapAsync();                      // MODE SENSE(6) 1Dh DBD=1, recorded
        Assert.Equal((1, 1000, 10, 10, 2, 500, 2), (map.Transports.First, map.Storage.First, map.Storage.Count, map.ImportExport.First, map.ImportExport.Count, map.Drives.First, map.Drives.Count));
        var e = await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await changer.Client.MoveMediumAsync(1, 1001, 500));
        Assert.Equal((SenseKey.IllegalRequest, (byte)0x3B, (byte)0x0D), (e.Key, e.Asc, e.Ascq));
    }

    [Fact]
    public async Task Mhvtl_ltfs354_recorded_read_returns_the_three_complete_drive_descriptors()
    {
        var transport = CaptureReplayTransport.FromFile(Script("mhvtl-ltfs354.replay"));
        var client = new SmcClient(transport);
        var data = await client.ExecuteAsync(new ScsiCommand("READ ELEMENT STATUS", Convert.FromHexString("b80400000000ff0108000000"), DataDirection.In, 0x10800, CommandTimeouts.Default));
        Assert.Equal(194, data.Length);                              // the published excerpt
        // Anything else was never recorded: same opcode, other fields -> 05/24/00.
        var e = await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await client.ReadElementStatusAsync(ElementType.DataTransfer, 500, 4));
        Assert.Equal((SenseKey.IllegalRequest, (byte)0x24), (e.Key, e.Asc));
    }
}
