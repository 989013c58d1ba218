using Microsoft.Extensions.Time.Testing;
using TapeChanger.MhvtlConfig;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Sense;
using TapeChanger.Testing;
using TapeChanger.Transport;

namespace TapeChanger.Virtual.Tests;

public class ConfigTests
{
    [Fact]
    public void The_built_in_library_is_hw_profiles_mhvtl_library10_byte_for_byte()
    {
        Assert.Equal(["device.conf", "library_contents.10"], BuiltInLibraryFiles.Names);
        foreach (string name in BuiltInLibraryFiles.Names)
        {
            byte[] file = File.ReadAllBytes(Path.Combine(VirtualLibraryFiles.Library10, name));
            if (file is [0xEF, 0xBB, 0xBF, ..]) file = file[3..];
            Assert.Equal(file, BuiltInLibraryFiles.Content(Array.IndexOf(BuiltInLibraryFiles.Names, name)).ToArray());
        }
    }

    [Fact]
    public void BuiltIn_IsLibrary10()
    {
        var c = VirtualLibraryConfig.Load(null);
        Assert.Equal(10, c.Library.Id);
        Assert.Equal("STK", c.Library.Vendor);
        Assert.Equal("L700", c.Library.Product);
        Assert.Equal("0108", c.Library.Revision);
        Assert.Equal("STK L-series", c.Personality.Name);
        Assert.Equal(new[] { "XYZZY_A1", "XYZZY_A2", "XYZZY_A3", "XYZZY_A4" }, c.DriveElements.Select(d => d!.Serial));
        Assert.Equal(39, c.Contents.Slots.Count);
        Assert.Equal(4, c.Contents.Maps.Count);
        Assert.Equal(13, c.Library.MagazineSize);
        Assert.Equal(30, c.Library.CleaningSeconds);
        Assert.False(c.Library.Exchange);
    }

    [Theory]
    [InlineData("STK", "L80", "STK L20/40/80", 1000)]
    [InlineData("HP", "MSL6000", "HP MSL", 0x20)]
    [InlineData("IBM", "03584L32", "IBM 3584", 0x400)]
    [InlineData("ACME", "BOX", "default", 0x400)]
    public void Personality_FromInquiry(string vendor, string product, string name, int st)
    {
        var p = Personality.Select(vendor, product);
        Assert.Equal(name, p.Name);
        Assert.Equal(st, p.StorageStart);
    }

    [Fact]
    public void ContentsGaps_AreFilled_AndExtensionsParsed()
    {
        var c = VirtualLibraryConfig.Parse(
            "VERSION: 5\nLibrary: 30 CHANNEL: 00 TARGET: 08 LUN: 00\n Vendor identification: ACME\n Product identification: BOX\n Exchange: yes\n Magazine size: 5\n Cleaning time: 7\n Unknown key: whatever\n\n" +
            "Drive: 31 CHANNEL: 00 TARGET: 09 LUN: 00\n Library ID: 30 Slot: 02\n Product identification: ULT3580-HH7\n Unit serial number: S31\n",
            "VERSION: 2\nDrive 2:\nMAP 1:\nSlot 3: A00003L7\n");
        Assert.Equal(3, c.Contents.Slots.Count);
        Assert.Null(c.Contents.Slots[0].Barcode);
        Assert.Equal(2, c.DriveElements.Count);
        Assert.Null(c.DriveElements[0]);
        Assert.True(c.Library.Exchange);
        Assert.Equal(5, c.Library.MagazineSize);
        Assert.Equal(7, c.Library.CleaningSeconds);
        var h = new Harness(c);
        var r = h.Res();
        Assert.Equal(new ushort[] { 0x001, 0x002, 0x2F0, 0x300, 0x400, 0x401, 0x402 }, r.Elements.Select(e => e.Address));
        h.Expect("05/21/01", SmcCommands.MoveMedium(0, 0x402, 0x001), 6);   // unbound drive element
        h.Move(0x402, 0x002);
        h.Expect("05/25/00", SpcCommands.TestUnitReady(), lun: 1);
        h.Expect("06/28/00", SpcCommands.TestUnitReady(), lun: 2);
    }

    [Theory]
    [InlineData("VERSION: 2\nSlot 1: ABCDEFGHIJKLMNOPQ\n", 2, "maximum is 16")]
    [InlineData("VERSION: 2\nSlot 1: AAA001L8\nSlot 2:\nSlot 3: AAA001L8\n", 4, "duplicate barcode 'AAA001L8' (already used on line 2)")]
    [InlineData("VERSION: 2\nShelf 1:\n", 2, "unknown element kind")]
    [InlineData("VERSION: 2\nSlot x:\n", 2, "must be a whole number")]
    [InlineData("VERSION: 3\n", 1, "VERSION 3")]
    [InlineData("VERSION: 2\nSlot 1: A\nSlot 1: B\n", 3, "listed twice")]
    [InlineData("VERSION: 2\nSlot 60001:\n", 2, "from 1 to 60000")]
    [InlineData("VERSION: 2\nDrive 4097:\n", 2, "from 1 to 4096")]
    public void Contents_Errors_NameFileAndLine(string text, int line, string problem)
    {
        var ex = Assert.Throws<MhvtlConfigException>(() => LibraryContentsParser.Parse("lc.10", text));
        Assert.Equal("lc.10", ex.File);
        Assert.Equal(line, ex.Line);
        Assert.Contains(problem, ex.Message);
        Assert.StartsWith($"lc.10:{line}: ", ex.Message);
    }

    [Fact]
    public void Contents_Accept_Sixty_Thousand_Slots()
    {
        // A 60,000-slot library (addresses 1000..60999) is what the scaling benchmark decodes; it must load.
        var text = "VERSION: 2\nDrive 1:\nPicker 1:\nMAP 1:\nSlot 60000: BIG001L8\n";
        var c = LibraryContentsParser.Parse("lc.10", text);
        Assert.Equal(60000, c.Slots.Count);
        Assert.Equal("BIG001L8", c.Slots[^1].Barcode);
    }

    [Theory]
    [InlineData("Library: x\n", 1, "numeric id")]
    [InlineData("Library: 10\n NAA: 1:2\n", 2, "NAA")]
    [InlineData("Library: 10\n Exchange: maybe\n", 2, "yes or no")]
    [InlineData("Library: 10\n Magazine size: 0\n", 2, "Magazine size")]
    [InlineData("Library: 10\n Product identification: ABCDEFGHIJKLMNOPQ\n", 2, "longer than 16")]
    [InlineData("Bogus: 1\n", 1, "unexpected line")]
    [InlineData(" Vendor identification: X\n", 1, "outside a Library or Drive stanza")]
    [InlineData("Library: 10\n\nDrive: 11\n Library ID: 10 Slot: zz\n", 4, "Library ID")]
    [InlineData("Drive: 11\n", 0, "no 'Library:' stanza")]
    public void DeviceConf_Errors_NameFileAndLine(string text, int line, string problem)
    {
        var ex = Assert.Throws<MhvtlConfigException>(() => DeviceConfParser.Parse("dev.conf", text));
        Assert.Equal(line, ex.Line);
        Assert.Contains(problem, ex.Message);
        Assert.Contains("dev.conf", ex.Message);
    }

    [Fact]
    public void Directory_LoadsDeviceConfAndContentsOfFirstLibrary()
    {
        using var tmp = new TempDir();
        File.WriteAllText(Path.Combine(tmp.Path, "device.conf"), TestConfigs.DeviceConf);
        var ex = Assert.Throws<MhvtlConfigException>(() => VirtualLibraryConfig.Load(tmp.Path));
        Assert.Contains("library_contents.10", ex.Message);
        File.WriteAllText(Path.Combine(tmp.Path, "library_contents.10"), TestConfigs.Contents.Replace("Slot 2: E01002L8", "Slot 2: E01001L8"));
        ex = Assert.Throws<MhvtlConfigException>(() => VirtualLibraryConfig.Load(tmp.Path));
        Assert.Contains("library_contents.10:", ex.Message);
        Assert.Contains("duplicate barcode", ex.Message);
        File.WriteAllText(Path.Combine(tmp.Path, "library_contents.10"), TestConfigs.Contents);
        Assert.Equal(Path.GetFullPath(tmp.Path), VirtualLibraryConfig.Load(tmp.Path).Directory);
    }
}

public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("tcvirt").FullName;
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}

public class StoreTests
{
    [Fact]
    public void StateSurvivesAcrossStores_AndTimestampsAreAbsolute()
    {
        using var state = new TempDir();
        var time = new FakeTimeProvider(SteppingTime.Epoch);
        using (var s1 = VirtualLibraryStore.Open(null, state.Path, time))
        {
            Assert.EndsWith(System.IO.Path.Combine("virtual", "library10"), s1.Directory);
            var lib = s1.Library;
            lib.Execute(0, SpcCommands.TestUnitReady(), []);               // consume 29/00
            Assert.Equal(ScsiStatus.Good, lib.Execute(0, SmcCommands.MoveMedium(0, 1021, 500), []).Status);
            s1.Save();
        }
        time.Advance(TimeSpan.FromSeconds(40));
        using (var s2 = VirtualLibraryStore.Open(null, state.Path, time))
        {
            var lib = s2.Library;
            Assert.Equal(ScsiStatus.Good, lib.Execute(0, SpcCommands.TestUnitReady(), []).Status);   // UA not repeated
            Assert.Equal("CLN101L8", lib.Element(500).Barcode);
            var r = lib.Execute(1, SpcCommands.TestUnitReady(), []);
            Assert.Equal("02/04/00", SenseDecoder.Decode(r.Sense).Triplet);                      // 40 s into cleaning
        }
    }

    [Fact]
    public async Task A_format_1_state_file_is_read_and_saved_as_format_2_at_the_next_change()
    {
        using var state = new TempDir();
        string path;
        using (var s = VirtualLibraryStore.Open(null, state.Path)) path = s.StatePath;
        // The file as format 1 wrote it: indented, each element an object; slot 1021's cleaner already in drive 500.
        var old = VirtualLibrary.CreateInitialState(VirtualLibraryConfig.Load(null));
        old.FormatVersion = 1;
        old.ResetPending = false;
        var slot = old.Elements.Single(e => e.Address == 1021);
        var drive = old.Elements.Single(e => e.Address == 500);
        (drive.Barcode, drive.Home, slot.Barcode) = (slot.Barcode, 1021, null);
        string v1 = System.Text.Json.JsonSerializer.Serialize(old, VirtualStateJsonContext.Default.LibraryState);   // indented
        Assert.Contains("\"Address\": 500", v1);
        File.WriteAllText(path, v1);
        await using (var t = await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse("virtual:"), new TransportOpenContext(state.Path)))
        {
            var lib = ((VirtualTransport)t).Library;
            Assert.Equal("CLN101L8", lib.Element(500).Barcode);
            Assert.Null(lib.Element(1021).Barcode);
            // A report changes nothing: the transport does not save, and the file stays format 1.
            Assert.Equal(ScsiStatus.Good, (await t.ExecuteAsync(SmcCommands.ReadElementStatus(ElementType.All, 0, 100, 65535), new byte[65535])).Status);
            Assert.Equal(v1, File.ReadAllText(path));
            Assert.Equal(ScsiStatus.Good, (await t.ExecuteAsync(SmcCommands.MoveMedium(0, 500, 1021), Memory<byte>.Empty)).Status);
        }
        string v2 = File.ReadAllText(path);
        Assert.StartsWith("{\"FormatVersion\":2,", v2);
        Assert.True(v2.Length < v1.Length / 3, $"format 2 is {v2.Length} bytes, format 1 was {v1.Length}");
        using (var s = VirtualLibraryStore.Open(null, state.Path))
        {
            Assert.Equal("CLN101L8", s.Library.Element(1021).Barcode);
            Assert.Null(s.Library.Element(500).Barcode);
            Assert.Equal(v2, s.Library.SerializeState());
            Assert.False(s.Save());
        }
    }

    [Fact]
    public void SecondOpen_WaitsThenFailsClearly()
    {
        using var state = new TempDir();
        using var s1 = VirtualLibraryStore.Open(null, state.Path);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var ex = Assert.Throws<VirtualStateException>(() => VirtualLibraryStore.Open(null, state.Path, null, TimeSpan.FromMilliseconds(400)));
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(350));
        Assert.Contains("in use by another process", ex.Message);
        Assert.Contains("state.lock", ex.Message);
        s1.Dispose();
        using var s2 = VirtualLibraryStore.Open(null, state.Path, null, TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public void CorruptState_ClearError()
    {
        using var state = new TempDir();
        string path;
        using (var s = VirtualLibraryStore.Open(null, state.Path)) path = s.StatePath;
        File.WriteAllText(path, "{ not json");
        var ex = Assert.Throws<VirtualStateException>(() => VirtualLibraryStore.Open(null, state.Path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("tapechanger virtual reset", ex.Message);
        VirtualLibraryStore.DeleteState(null, state.Path);
        using var again = VirtualLibraryStore.Open(null, state.Path);
    }

    [Fact]
    public void ConfigDirectory_GetsItsOwnStateFolder()
    {
        using var cfg = new TempDir();
        using var state = new TempDir();
        File.WriteAllText(System.IO.Path.Combine(cfg.Path, "device.conf"), TestConfigs.DeviceConf);
        File.WriteAllText(System.IO.Path.Combine(cfg.Path, "library_contents.10"), TestConfigs.Contents);
        using var s = VirtualLibraryStore.Open(cfg.Path, state.Path);
        string name = System.IO.Path.GetFileName(s.Directory);
        Assert.Matches("^[A-Za-z0-9_-]+-lib10-[0-9a-f]{8}$", name);
        Assert.NotEqual("library10", name);
    }

    [Fact]
    public async Task Transport_SavesAfterChanges_AndSharesStoreAcrossLuns()
    {
        using var state = new TempDir();
        var factory = new VirtualTransportFactory();
        var addr = DeviceUri.Parse("virtual:");
        Assert.True(factory.CanOpen(addr));
        Assert.False(factory.CanOpen(DeviceUri.Parse("sg:/dev/sg1")));
        var changer = (VirtualTransport)await factory.OpenAsync(addr, new TransportOpenContext(state.Path));
        Assert.Equal("virtual:", changer.Device);
        var drive = changer.OpenLun(1);
        var ch = new ScsiChannel(changer);
        await Assert.ThrowsAnyAsync<Exception>(async () => await ch.ExecuteAsync(SpcCommands.TestUnitReady()));   // 06/29/00
        await ch.ExecuteAsync(SmcCommands.MoveMedium(0, 1000, 500));
        var json = File.ReadAllText(changer.Store.StatePath);
        Assert.Contains("E01001L8", json);
        var buf = new byte[96];
        var r = await drive.ExecuteAsync(SpcCommands.TestUnitReady(), buf);
        Assert.Equal("06/28/00", SenseDecoder.Decode(r.Sense).Triplet);
        await changer.DisposeAsync();
        Assert.Throws<VirtualStateException>(() => VirtualLibraryStore.Open(null, state.Path, null, TimeSpan.FromMilliseconds(100)));
        await drive.DisposeAsync();
        using var reopened = VirtualLibraryStore.Open(null, state.Path, null, TimeSpan.FromMilliseconds(100));
        Assert.Equal("E01001L8", reopened.Library.Element(500).Barcode);
        Assert.False(reopened.Library.Element(500).Access);
    }

    [Fact]
    public async Task A_drive_opens_on_the_library_files_anew_once_the_changer_closed_and_the_locator_says_so()
    {
        using var state = new TempDir();
        var addr = DeviceUri.Parse("virtual:");
        var changer = (VirtualTransport)await new VirtualTransportFactory().OpenAsync(addr, new TransportOpenContext(state.Path));
        var search = new DriveSearch(addr, changer);
        var locator = new VirtualDriveLocator();
        var candidate = (await locator.ListAsync(search)).Drives[0];
        Assert.True(locator.OpensDrivesWithoutChanger(search));
        var ch = new ScsiChannel(changer);
        await Assert.ThrowsAnyAsync<Exception>(async () => await ch.ExecuteAsync(SpcCommands.TestUnitReady()));   // 06/29/00
        await ch.ExecuteAsync(SmcCommands.MoveMedium(0, 1000, 500));
        var other = changer.OpenLun(0);                 // another session of this process still holds the library
        await changer.DisposeAsync();

        // While the store is open elsewhere in the process, the drive joins it (its lock is not taken twice).
        await using (var joined = await locator.OpenAsync(search, candidate))
        {
            Assert.Same(other.Store, ((VirtualTransport)joined).Store);
        }
        await other.DisposeAsync();

        // No changer open: the drive's LUN opens the files again (their lock taken anew) and sees the move.
        await using (var drive = await locator.OpenAsync(search, candidate))
        {
            var r = await drive.ExecuteAsync(SpcCommands.TestUnitReady(), new byte[96]);
            Assert.Equal("06/28/00", SenseDecoder.Decode(r.Sense).Triplet);
            Assert.Throws<VirtualStateException>(() => VirtualLibraryStore.Open(null, state.Path, null, TimeSpan.FromMilliseconds(100)));
        }
        using (VirtualLibraryStore.Open(null, state.Path, null, TimeSpan.FromMilliseconds(100))) { }     // released with the drive

        // A transport around a store it did not open cannot open the files again.
        var bare = new VirtualTransport(VirtualLibraryStore.Open(null, state.Path));
        var bareSearch = new DriveSearch(addr, bare);
        Assert.False(locator.OpensDrivesWithoutChanger(bareSearch));
        await bare.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => bare.OpenLunAnew(1));
    }
}
