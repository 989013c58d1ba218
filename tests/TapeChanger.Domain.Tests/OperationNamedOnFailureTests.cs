using TapeChanger.Scsi;
using TapeChanger.Testing;
using TapeChanger.Transport;
using TapeChanger.Virtual;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// When the library refuses a command, the operator's message names the operation that failed (the words an operator
/// typed, not the SCSI command), and what the operation sent before the failure is as expected: on the virtual
/// library 10, with one command answered 04/15/01 (mechanical positioning error, SPC-4 §4.5.6).
/// </summary>
public sealed class OperationNamedOnFailureTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-opname-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private Task<(MediaChanger Changer, InterceptingTransport Transport, VirtualLibrary Library, ElementMap Map)> OpenAsync() =>
        InterceptedVirtualLibrary.OpenAsync(_state);

    private static readonly ScsiResult Positioning = Check(0x04, 0x15, 0x01);

    private static async Task<ChangerOperationException> FailsNaming(Func<Task> action, string operation)
    {
        var e = await Assert.ThrowsAsync<ChangerOperationException>(action);
        Assert.StartsWith($"{operation} failed: the robot could not complete the move", e.Message);
        Assert.EndsWith("[HARDWARE ERROR 04/15/01: mechanical positioning error]", e.Message);
        return e;
    }

    [Fact]
    public async Task A_refused_unload_names_the_drive_and_its_home_slot()
    {
        var (c, t, _, _) = await OpenAsync();
        await c.LoadAsync(1, 0);
        t.Once("MOVE MEDIUM", Positioning);
        await FailsNaming(() => c.UnloadAsync(null, 0).AsTask(), "unload drive 0 to slot 1");
    }

    [Fact]
    public async Task A_refused_export_and_import_name_the_slot_and_the_mail_slot()
    {
        var (c, t, _, map) = await OpenAsync();
        t.Once("MOVE MEDIUM", Positioning);
        await FailsNaming(() => c.ExportAsync(1, null).AsTask(), "export slot 1");
        await c.ExportAsync(1, null);
        t.Once("MOVE MEDIUM", Positioning);
        await FailsNaming(() => c.ImportAsync(null, null).AsTask(), $"import from {map.Describe(map.ImportExport.First)}");
    }

    [Fact]
    public async Task A_refused_lock_or_unlock_says_which()
    {
        var (c, t, _, _) = await OpenAsync();
        t.Once("PREVENT MEDIUM REMOVAL", Positioning);
        await FailsNaming(() => c.LockImportExportAsync(true).AsTask(), "lock the import/export port");
        t.Once("ALLOW MEDIUM REMOVAL", Positioning);
        await FailsNaming(() => c.LockImportExportAsync(false).AsTask(), "unlock the import/export port");
    }

    [Fact]
    public async Task A_refused_position_or_inventory_is_named()
    {
        var (c, t, _, map) = await OpenAsync();
        t.Once("POSITION TO ELEMENT", Positioning);
        await FailsNaming(() => c.PositionAsync(3).AsTask(), "position");
        t.Once("INITIALIZE ELEMENT STATUS WITH RANGE", Positioning);
        await FailsNaming(() => c.InventoryAsync(map.SlotAddress(1), 4).AsTask(), "inventory");
        t.Once("INITIALIZE ELEMENT STATUS", Positioning);
        await FailsNaming(() => c.InventoryAsync(null, null).AsTask(), "inventory");
    }

    [Fact]
    public async Task A_refused_read_of_the_mail_slots_is_named_as_a_read()
    {
        var (c, t, _, _) = await OpenAsync();
        t.Once("READ ELEMENT STATUS", Positioning);
        await FailsNaming(() => c.ImportAsync(null, null).AsTask(), "read element status");
        t.Once("READ ELEMENT STATUS", Positioning);
        await FailsNaming(() => c.ExportAsync(1, null).AsTask(), "read element status");
    }

    [Fact]
    public async Task Import_between_two_operator_placed_cartridges_takes_the_lowest_mail_slot()
    {
        var (c, t, library, map) = await OpenAsync();
        ushort low = map.ImportExport.First, high = (ushort)(map.ImportExport.First + map.ImportExport.Count - 1);
        library.OpenImportExport();
        library.InsertIntoImportExport("OPRHI1L8", high);
        library.InsertIntoImportExport("OPRLO1L8", low);
        library.CloseImportExport();
        await c.TestUnitReadyAsync();                       // the mail slot's unit attention
        var r = await c.ImportAsync(null, null);
        Assert.Equal((low, "OPRLO1L8"), (r.Source, r.Barcode));
        Assert.Equal("OPRHI1L8", library.Element(high).Barcode);
    }

    [Fact]
    public async Task Export_to_a_mail_slot_does_not_touch_the_port_lock_on_a_library_without_that_quirk()
    {
        var (c, t, library, _) = await OpenAsync();
        await c.ExportAsync(1, null);
        Assert.DoesNotContain(t.Sent, s => s.Cdb[0] == OpCode.PreventAllowMediumRemoval);
        Assert.False(library.RemovalPrevented);
    }
}
