using System.CommandLine;
using System.Globalization;
using TapeChanger.Transport;
using TapeChanger.Virtual;
using static TapeChanger.Cli.TapeChangerCli;

namespace TapeChanger.Cli.Commands;

/// <summary>`virtual ...`: operator actions on the virtual library, like mhVTL's vtlcmd.</summary>
internal static class VirtualCommands
{
    public static Command Build()
    {
        var root = new Command("virtual", "Operator actions on the virtual library (like mhVTL's vtlcmd). The device must be virtual:[DIR].");
        root.Subcommands.Add(IePort());
        root.Subcommands.Add(Door());
        root.Subcommands.Add(Slot());
        root.Subcommands.Add(Magazine());
        root.Subcommands.Add(Drive());
        var reset = new Command("reset", "Restore the configured contents and raise the power-on unit attention.");
        reset.SetAction(Handler((ctx, _, _) =>
        {
            var address = RequireVirtual(ctx);
            // Delete first, so a corrupt or mismatched state file can always be recovered from.
            VirtualLibraryStore.DeleteState(address.ConfigDirectory, ctx.StateDirectory);
            using (var store = VirtualLibraryStore.Open(address.ConfigDirectory, ctx.StateDirectory)) store.Save();
            ctx.Done("virtual library reset to its configured contents");
            return Task.CompletedTask;
        }));
        root.Subcommands.Add(reset);
        return root;
    }

    /// <summary>Runs an operator action under the library's state lock and saves the result.</summary>
    private static Func<ParseResult, CancellationToken, Task<int>> Act(Func<VirtualLibrary, ParseResult, string> action) =>
        Handler((ctx, parse, _) =>
        {
            var address = RequireVirtual(ctx);
            using var store = VirtualLibraryStore.Open(address.ConfigDirectory, ctx.StateDirectory);
            string message = action(store.Library, parse);
            store.Save();
            ctx.Done(message);
            return Task.CompletedTask;
        });

    private static DeviceAddress RequireVirtual(CliContext ctx)
    {
        var address = ctx.Address;
        if (address.Scheme != DeviceScheme.Virtual) throw new UsageException($"'virtual' commands need a virtual device, not {address}");
        return address;
    }

    private static Command IePort()
    {
        var cmd = new Command("ieport", "Open, close, fill or empty the import/export port (mail slot).");
        var open = new Command("open", "Open the port: the robot can no longer use the mail slots.");
        open.SetAction(Act((lib, _) => { lib.OpenImportExport(); return "import/export port open"; }));
        var close = new Command("close", "Close the port.");
        close.SetAction(Act((lib, _) => { lib.CloseImportExport(); return "import/export port closed"; }));

        var barcode = new Argument<string>("BARCODE") { Description = "Barcode label of the cartridge (up to 16 characters)." };
        var element = new Option<ushort?>("--element") { Description = "Import/export element address; default: the first empty one." };
        var insert = new Command("insert", "Place a cartridge in a mail slot (the port must be open).") { barcode, element };
        insert.SetAction(Act((lib, p) =>
        {
            string label = Barcode(p.GetValue(barcode));
            ushort at = lib.InsertIntoImportExport(label, ImportExportElement(lib, p.GetValue(element)));
            return $"{p.GetValue(barcode)} placed in import/export element {at}";
        }));

        var element2 = new Option<ushort?>("--element") { Description = "Import/export element address; default: every mail slot." };
        var remove = new Command("remove", "Take cartridges out of the mail slots (the port must be open).") { element2 };
        remove.SetAction(Act((lib, p) =>
        {
            var removed = lib.RemoveFromImportExport(ImportExportElement(lib, p.GetValue(element2)));
            return removed.Count == 0 ? "no cartridge to remove" : "removed " + string.Join(", ", removed);
        }));
        cmd.Subcommands.Add(open);
        cmd.Subcommands.Add(close);
        cmd.Subcommands.Add(insert);
        cmd.Subcommands.Add(remove);
        return cmd;
    }

    private static Command Door()
    {
        var action = new Argument<string>("ACTION") { Description = "open or close" };
        action.AcceptOnlyFromAmong("open", "close");
        var cmd = new Command("door", "Open or close the library door (robot stops while it is open).") { action };
        cmd.SetAction(Act((lib, p) =>
        {
            if (p.GetValue(action) == "open") { lib.OpenDoor(); return "door open"; }
            lib.CloseDoor();
            return "door closed";
        }));
        return cmd;
    }

    private static ushort SlotAddress(VirtualLibrary lib, int slot)
    {
        int count = lib.Elements.Count(e => e.Type == Scsi.ElementType.Storage);
        if (slot < 1 || slot > count) throw new UsageException($"slot {slot} does not exist; storage slots are 1 to {count}") { ExitCode = ExitCodes.InvalidElement };
        return (ushort)(lib.StorageStart + slot - 1);
    }

    /// <summary>An --element that is not a mail slot is "no such element" (exit 2), as for the changer verbs.</summary>
    private static ushort? ImportExportElement(VirtualLibrary lib, ushort? element)
    {
        if (element is not ushort a) return null;
        var ie = lib.Elements.Where(e => e.Type == Scsi.ElementType.ImportExport).Select(e => e.Address).ToList();
        if (!ie.Contains(a))
            throw new UsageException($"element {a} is not an import/export element; they are {string.Join(", ", ie)}") { ExitCode = ExitCodes.InvalidElement };
        return a;
    }

    /// <summary>
    /// Barcode syntax is a command-line matter (exit 64), checked before the library is asked; the rules are the
    /// virtual library's (1-16 printable ASCII characters, no space: LibraryContentsParser.MaxBarcodeLength, mhVTL's
    /// library_contents labels). The message never echoes the label, which may hold control characters.
    /// </summary>
    private static string Barcode(string? label)
    {
        if (string.IsNullOrEmpty(label)) throw new UsageException("the barcode is empty");
        if (label.Length > LibraryContentsParser.MaxBarcodeLength)
            throw new UsageException($"the barcode is {label.Length} characters long; the maximum is {LibraryContentsParser.MaxBarcodeLength}");
        if (label.Any(c => c is <= ' ' or > '~'))
            throw new UsageException("the barcode contains a space, a control character or a non-ASCII character; use printable ASCII");
        return label;
    }

    private static Command Slot()
    {
        var cmd = new Command("slot", "Place or take a cartridge in a storage slot by hand (door open only).");
        var slot = new Argument<int>("SLOT") { Description = "Storage slot number (1-based)." };
        var barcode = new Argument<string>("BARCODE") { Description = "Barcode label." };
        var insert = new Command("insert", "Place a cartridge in SLOT.") { slot, barcode };
        insert.SetAction(Act((lib, p) =>
        {
            string label = Barcode(p.GetValue(barcode));
            lib.InsertIntoSlot(SlotAddress(lib, p.GetValue(slot)), label);
            return $"{p.GetValue(barcode)} placed in slot {p.GetValue(slot)}";
        }));
        var slot2 = new Argument<int>("SLOT") { Description = "Storage slot number (1-based)." };
        var remove = new Command("remove", "Take the cartridge out of SLOT.") { slot2 };
        remove.SetAction(Act((lib, p) => $"removed {lib.RemoveFromSlot(SlotAddress(lib, p.GetValue(slot2)))} from slot {p.GetValue(slot2)}"));
        cmd.Subcommands.Add(insert);
        cmd.Subcommands.Add(remove);
        return cmd;
    }

    private static Command Magazine()
    {
        var action = new Argument<string>("ACTION") { Description = "remove or insert" };
        action.AcceptOnlyFromAmong("remove", "insert");
        var number = new Argument<int>("N") { Description = "Magazine number (1-based)." };
        var cmd = new Command("magazine", "Pull out or put back a storage magazine.") { action, number };
        cmd.SetAction(Act((lib, p) =>
        {
            int n = p.GetValue(number);
            if (n < 1 || n > lib.MagazineCount)
                throw new UsageException($"there is no magazine {n}; magazines are 1 to {lib.MagazineCount}") { ExitCode = ExitCodes.InvalidElement };
            if (p.GetValue(action) == "remove") { lib.RemoveMagazine(n); return $"magazine {n} removed"; }
            lib.InsertMagazine(n);
            return $"magazine {n} inserted";
        }));
        return cmd;
    }

    private static Command Drive()
    {
        var cmd = new Command("drive", "Drive-side operator actions.");
        var drive = new Argument<int>("DRIVE") { Description = "Drive number (0-based)." };
        var flags = new Argument<string>("FLAGS") { Description = "TapeAlert flags in hex, bit 0 = flag 1 (e.g. 80000 = flag 20 'cleaning required')." };
        var ta = new Command("tapealert", "Set a drive's TapeAlert flags.") { drive, flags };
        ta.SetAction(Act((lib, p) =>
        {
            string text = p.GetValue(flags)!;
            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) text = text[2..];
            if (!ulong.TryParse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong value))
                throw new UsageException($"FLAGS '{p.GetValue(flags)}' is not a hex number");
            int d = p.GetValue(drive);
            if (d < 0 || d >= lib.DriveCount) throw new UsageException($"drive {d} does not exist; drives are 0 to {lib.DriveCount - 1}") { ExitCode = ExitCodes.InvalidElement };
            lib.SetDriveTapeAlert(d + 1, value);   // the library numbers drives by LUN (1-based)
            return $"drive {d} TapeAlert flags set to {value:x}";
        }));
        cmd.Subcommands.Add(ta);
        return cmd;
    }
}
