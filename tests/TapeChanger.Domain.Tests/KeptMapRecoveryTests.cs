using System.Buffers.Binary;
using TapeChanger.Scsi;
using TapeChanger.Testing;
using TapeChanger.Transport;
using TapeChanger.Virtual;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// A kept element map that the library no longer agrees with is forgotten and page 1Dh read again, and the operation
/// answered from the library's own map; without a kept map the same refusal is the operator's error. Each test asserts
/// the commands sent and the store afterwards.
/// </summary>
public sealed class KeptMapRecoveryTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-kept-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private FileLibraryCache Cache() => new(_state, "virtual:");

    private async Task<(InterceptingTransport Transport, MediaChanger Changer)> OpenAsync(bool cached = true)
    {
        var (t, changer, _) = await InterceptedVirtualLibrary.OpenColdAsync(_state, settings: new ChangerSettings { Cache = cached ? Cache() : null });
        return (t, changer);
    }

    /// <summary>A cold session that reads the status and so keeps identity and map; returns the kept map.</summary>
    private async Task<Scsi.Decoding.ElementAddressAssignment> KeepAsync()
    {
        var (_, c) = await OpenAsync();
        await using (c) await c.GetStatusAsync();
        return Cache().Load()!.Map;
    }

    private static bool IsPage1D(ScsiCommand c) => c.Cdb[0] is OpCode.ModeSense6 or OpCode.ModeSense10 && (c.Cdb[2] & 0x3F) == 0x1D;

    private static int Reads(InterceptingTransport t) => t.Sent.Count(c => c.Cdb[0] == OpCode.ReadElementStatus);

    [Fact]
    public async Task A_status_read_refused_for_the_kept_map_forgets_it_and_reads_page_1Dh()
    {
        var kept = await KeepAsync();
        var (t, c) = await OpenAsync();
        t.Once("READ ELEMENT STATUS", Check(0x05, 0x21, 0x01));           // INVALID ELEMENT ADDRESS, as for addresses it no longer has
        LibraryStatus status;
        await using (c) status = await c.GetStatusAsync();

        int page = t.Sent.FindIndex(IsPage1D);
        Assert.True(page > 0, "page 1Dh must be read after the refused read");
        Assert.Equal(OpCode.ReadElementStatus, t.Sent[0].Cdb[0]);          // the kept map was tried first
        Assert.Equal(4, t.Sent.Skip(page).Count(x => x.Cdb[0] == OpCode.ReadElementStatus));   // then each element type once
        Assert.Equal(kept.StorageCount, status.Map.Storage.Count);
        Assert.Equal(kept.StorageCount, status.Elements.Count(e => e.Type == ElementType.Storage));
    }

    [Fact]
    public async Task The_same_refusal_without_a_kept_map_is_an_invalid_element_error()
    {
        await KeepAsync();
        var (t, c) = await OpenAsync(cached: false);
        await using (c)
        {
            await c.GetMapAsync();
            t.Once("READ ELEMENT STATUS", Check(0x05, 0x21, 0x01));
            var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await c.GetStatusAsync());
            Assert.Equal(ChangerError.InvalidElement, e.Error);
            Assert.StartsWith("read element status failed: ", e.Message);
        }
        Assert.Equal(1, t.Sent.Count(IsPage1D));                          // read once, never again
        Assert.NotNull(Cache().Load());                                     // a session without the store leaves it alone
    }

    [Fact]
    public async Task A_targeted_read_refused_for_the_kept_map_forgets_it_and_is_answered()
    {
        var kept = await KeepAsync();
        var (t, c) = await OpenAsync();
        t.Once("READ ELEMENT STATUS", Check(0x05, 0x21, 0x01));
        Element e;
        await using (c) e = await c.ReadElementAsync(kept.FirstStorage);

        Assert.Equal((ElementType.Storage, kept.FirstStorage), (e.Type, e.Address));
        Assert.Equal(1, t.Sent.Count(IsPage1D));
        Assert.Equal(2, Reads(t));                                          // the refused one and the one after page 1Dh
        var last = t.Sent.Last(x => x.Cdb[0] == OpCode.ReadElementStatus);
        Assert.Equal(kept.FirstStorage, BinaryPrimitives.ReadUInt16BigEndian(last.Cdb.AsSpan(2)));   // bytes 2-3 STARTING ELEMENT ADDRESS
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(last.Cdb.AsSpan(4)));                   // bytes 4-5 NUMBER OF ELEMENTS
    }

    [Fact]
    public async Task A_targeted_read_refused_without_a_kept_map_is_an_invalid_element_error()
    {
        var kept = await KeepAsync();
        var (t, c) = await OpenAsync(cached: false);
        await using (c)
        {
            await c.GetMapAsync();
            t.Once("READ ELEMENT STATUS", Check(0x05, 0x21, 0x01));
            var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await c.ReadElementAsync(kept.FirstStorage));
            Assert.Equal(ChangerError.InvalidElement, e.Error);
        }
        Assert.Equal(1, Reads(t));
        Assert.Equal(1, t.Sent.Count(IsPage1D));
    }

    [Fact]
    public async Task A_kept_map_that_gives_an_element_the_wrong_type_is_forgotten_and_the_element_read_as_the_library_says()
    {
        var kept = await KeepAsync();
        Assert.True(kept.FirstImportExport < kept.FirstStorage);
        // Kept: the mail slots' addresses are storage slots. The library answers a storage read from there with its first
        // real storage slot, which is not the element asked for.
        Cache().Save(Cache().Load()! with { Map = kept with { FirstStorage = kept.FirstImportExport, FirstImportExport = kept.FirstStorage } });
        var (t, c) = await OpenAsync();
        Element e;
        await using (c) e = await c.ReadElementAsync(kept.FirstImportExport);

        Assert.Equal((ElementType.ImportExport, kept.FirstImportExport), (e.Type, e.Address));
        Assert.Equal(1, t.Sent.Count(IsPage1D));
        Assert.Equal(2, Reads(t));
        Assert.Null(Cache().Load());                                        // forgotten in the store too (kept again by the next session that asks the identity)
    }
}
