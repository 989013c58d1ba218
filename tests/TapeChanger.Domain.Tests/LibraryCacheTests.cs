using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Transport;
using TapeChanger.Virtual;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// The kept identity and element map: what a warm session sends (the CDBs that reach the library), and that the kept
/// map is checked and forgotten when the library disagrees.
/// </summary>
public sealed class LibraryCacheTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-cache-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private FileLibraryCache Cache() => new(_state, "virtual:");

    private async Task<(QuirkyTransport Transport, VirtualLibrary Library, MediaChanger Changer)> OpenAsync(FileLibraryCache? cache = null)
    {
        var inner = (VirtualTransport)await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse("virtual:"), new TransportOpenContext(_state));
        var t = new QuirkyTransport(inner);
        return (t, inner.Library, new MediaChanger(new SmcClient(t), new ChangerSettings { Cache = cache ?? Cache() }));
    }

    private static byte[] Opcodes(QuirkyTransport t) => t.Sent.Select(c => c.Cdb[0]).ToArray();

    private static string Render(LibraryStatus s) =>
        $"{s.Identity} {s.Map} " + string.Join(";", s.Elements.Select(e => $"{e.Address}:{e.Full}:{e.Barcode}:{e.Source}"));

    [Fact]
    public async Task A_warm_status_sends_only_read_element_status_and_reports_what_a_cold_one_does()
    {
        var (cold, _, c1) = await OpenAsync();
        LibraryStatus first;
        await using (c1) first = await c1.GetStatusAsync();
        Assert.Contains(OpCode.Inquiry, Opcodes(cold));
        Assert.Contains(OpCode.ModeSense6, Opcodes(cold));
        Assert.NotNull(Cache().Load());

        var (warm, _, c2) = await OpenAsync();
        LibraryStatus second;
        await using (c2) second = await c2.GetStatusAsync();
        Assert.All(Opcodes(warm), op => Assert.Equal(OpCode.ReadElementStatus, op));
        Assert.Equal(4, warm.Sent.Count);                                     // one per element type (the profile-less default)
        Assert.Equal(Render(first), Render(second));
    }

    [Fact]
    public async Task A_kept_map_with_other_counts_is_forgotten_and_page_1Dh_read_again()
    {
        var (_, _, c1) = await OpenAsync();
        await using (c1) await c1.GetStatusAsync();
        var kept = Cache().Load()!;
        // A library that lost a slot since (a magazine taken out of the configuration): the replies report one element fewer.
        Cache().Save(kept with { Map = kept.Map with { StorageCount = (ushort)(kept.Map.StorageCount + 1) } });

        var (t, library, c2) = await OpenAsync();
        LibraryStatus status;
        await using (c2) status = await c2.GetStatusAsync();
        Assert.Contains(OpCode.ModeSense6, Opcodes(t));
        Assert.Equal(library.Config.Contents.Slots.Count, status.Map.Storage.Count);
        Assert.Equal(kept.Map, Cache().Load()!.Map);                          // kept again, as the library says
    }

    [Fact]
    public async Task A_kept_map_with_another_first_address_is_forgotten()
    {
        var (_, _, c1) = await OpenAsync();
        await using (c1) await c1.GetStatusAsync();
        var kept = Cache().Load()!;
        Cache().Save(kept with { Map = kept.Map with { FirstImportExport = (ushort)(kept.Map.FirstImportExport + 1) } });

        var (t, _, c2) = await OpenAsync();
        LibraryStatus status;
        await using (c2) status = await c2.GetStatusAsync();
        Assert.Contains(OpCode.ModeSense6, Opcodes(t));
        Assert.Equal(kept.Map.FirstImportExport, status.Map.ImportExport.First);
    }

    [Fact]
    public async Task A_unit_attention_that_changes_the_mode_parameters_drops_the_kept_map()
    {
        var (_, _, c1) = await OpenAsync();
        await using (c1) await c1.GetStatusAsync();

        var (t, library, c2) = await OpenAsync();
        library.AddFault(new FaultSpec { Kind = FaultKind.UnitAttention, Command = "any", Key = 0x06, Asc = 0x2A, Ascq = 0x01, Remaining = 1 });
        await using (c2) await c2.GetStatusAsync();
        Assert.Contains(OpCode.ModeSense6, Opcodes(t));                       // 2A/01 MODE PARAMETERS CHANGED (SPC-4 Annex D)
        Assert.Contains(OpCode.Inquiry, Opcodes(t));
    }

    [Fact]
    public async Task A_reset_unit_attention_keeps_the_map()
    {
        var (_, _, c1) = await OpenAsync();
        await using (c1) await c1.GetStatusAsync();

        var (t, library, c2) = await OpenAsync();
        library.AddFault(new FaultSpec { Kind = FaultKind.UnitAttention, Command = "any", Key = 0x06, Asc = 0x29, Ascq = 0x00, Remaining = 1 });
        await using (c2) await c2.GetStatusAsync();
        Assert.All(Opcodes(t), op => Assert.Equal(OpCode.ReadElementStatus, op));
        Assert.Equal(5, t.Sent.Count);                                        // the reset drained by one re-sent read
    }

    [Fact]
    public async Task A_warm_load_sends_the_two_targeted_reads_the_move_and_one_verifying_read()
    {
        var (_, _, c1) = await OpenAsync();
        await using (c1) await c1.GetStatusAsync();
        var (t, library, c2) = await OpenAsync();
        await using (c2)
        {
            var id = await c2.GetIdentityAsync(withSerial: true);               // what the CLI's robot lock asks: VPD 80h, once
            Assert.Equal(new byte[] { OpCode.Inquiry }, Opcodes(t));
            Assert.Equal(0x01, t.Sent[0].Cdb[1] & 0x01);                        // EVPD
            t.Sent.Clear();
            var result = await c2.LoadAsync(1, 0);
            Assert.True(result.DestinationAfter.Full);
        }
        Assert.Equal(new[] { OpCode.ReadElementStatus, OpCode.ReadElementStatus, OpCode.MoveMedium, OpCode.ReadElementStatus }, Opcodes(t));
        Assert.NotNull(library.Elements.Single(e => e.Type == ElementType.DataTransfer && e.Address == library.DataTransferStart).Barcode);

        var (t3, _, c3) = await OpenAsync();
        await using (c3) _ = await c3.GetIdentityAsync(withSerial: true);
        Assert.Empty(t3.Sent);                                                  // the serial is kept now
    }

    [Fact]
    public async Task A_targeted_read_the_library_does_not_answer_for_the_kept_map_forgets_it()
    {
        var (_, _, c1) = await OpenAsync();
        await using (c1) await c1.GetStatusAsync();
        var kept = Cache().Load()!;
        // The kept map puts the drives where the library has none.
        Cache().Save(kept with { Map = kept.Map with { FirstDataTransfer = 700 } });

        var (t, _, c2) = await OpenAsync();
        await using (c2)
        {
            var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await c2.ReadElementAsync(700));
            Assert.Equal(ChangerError.InvalidElement, e.Error);
        }
        Assert.Contains(OpCode.ModeSense6, Opcodes(t));
        Assert.Null(Cache().Load());                                            // forgotten
    }

    [Fact]
    public void The_file_holds_one_device_and_a_broken_file_is_no_cache()
    {
        var entry = new CachedLibrary("STK", "L700", "0108", null, 8, "XYZZY_A", new ElementAddressAssignment(1, 1, 1000, 39, 10, 4, 500, 4));
        Cache().Save(entry);
        Assert.Equal(entry, Cache().Load());
        Assert.Null(new FileLibraryCache(_state, "virtual:/elsewhere").Load());
        File.WriteAllText(Cache().Path, "{ not json");
        Assert.Null(Cache().Load());
        Cache().Forget();
        Assert.False(File.Exists(Cache().Path));
    }
}
