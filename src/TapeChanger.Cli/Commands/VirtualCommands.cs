using System.CommandLine;
using System.Globalization;
using TapeChanger.Cli.Output;
using TapeChanger.Transport;
using TapeChanger.Virtual;
using static TapeChanger.Cli.TapeChangerCli;
using TapeChanger.MhvtlConfig;

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
        root.Subcommands.Add(Fault());
        var reset = new Command("reset", "Restore the configured contents, clear injected faults and raise the power-on unit attention.");
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

    private static Command Fault()
    {
        var cmd = new Command("fault", "Inject faults into the virtual library (kept in its state until they run out or are cleared).");

        var kind = new Argument<string>("KIND") { Description = "unit-attention, not-ready, busy, timeout, drop, half-move, magazine-removed or refuse-unload." };
        // One-line error (AcceptOnlyFromAmong prints a multi-line list).
        kind.Validators.Add(r =>
        {
            string v = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (!FaultNames.TryParse(v, out _)) r.AddError($"unknown fault kind '{v}'; kinds are {string.Join(", ", FaultNames.All)}");
        });
        var command = new Option<string?>("--command") { Description = "Only this command: a name (\"MOVE MEDIUM\", read-element-status, \"TEST UNIT READY\") or hex opcode, or 'any'. Default: any (MOVE MEDIUM for half-move, magazine-removed, refuse-unload)." };
        var element = new Option<ushort?>("--element") { Description = "Only commands naming this element address (a move's source or destination, a READ ELEMENT STATUS range). refuse-unload: the drive's address (required)." };
        var drive = new Option<int?>("--drive") { Description = "Inject at drive N's LUN (0-based) instead of the changer." };
        var count = new Option<int?>("--count") { Description = "Fire for the next N matching commands only." };
        var seconds = new Option<double?>("--for") { Description = "Fire only for the next SECONDS (library clock)." };
        var sense = new Option<string?>("--sense") { Description = "Sense as KEY/ASC/ASCQ or ASC/ASCQ in hex (defaults: unit-attention 06/29/00, not-ready 02/04/01, half-move 04/3B/16, magazine-removed 02/3B/12, refuse-unload 05/53/03)." };
        var magazine = new Option<int?>("--magazine") { Description = "magazine-removed: the magazine pulled (default: the one holding the move's slot)." };
        var after = new Option<bool>("--after-execute") { Description = "timeout, drop: the command runs and only its reply is lost." };
        var add = new Command("add", "Add a fault. Without --count or --for it fires until cleared.") { kind, command, element, drive, count, seconds, sense, magazine, after };
        add.SetAction(Handler((ctx, p, _) =>
        {
            var address = RequireVirtual(ctx);
            FaultNames.TryParse(p.GetValue(kind)!, out var k);
            string? cmdName = p.GetValue(command);
            if (cmdName is not null && !string.Equals(cmdName.Trim(), "any", StringComparison.OrdinalIgnoreCase) && !FaultNames.IsKnownCommand(cmdName))
                throw new UsageException($"--command '{cmdName}' is not a known command; give a name such as \"MOVE MEDIUM\", a hex opcode such as A5, or 'any'");
            if (p.GetValue(count) is <= 0) throw new UsageException("--count must be at least 1");
            if (p.GetValue(seconds) is double s && (s <= 0 || double.IsNaN(s) || s > TimeSpan.MaxValue.TotalSeconds / 2)) throw new UsageException("--for must be a positive number of seconds");
            var spec = new FaultSpec
            {
                Kind = k,
                Command = cmdName,
                Element = p.GetValue(element),
                Remaining = p.GetValue(count),
                Magazine = p.GetValue(magazine) ?? 0,
                AfterExecute = p.GetValue(after),
            };
            if (p.GetValue(drive) is int d) spec.Lun = d + 1;
            if (p.GetValue(sense) is { } text) (spec.Key, spec.Asc, spec.Ascq) = ParseSense(text, k);
            using var store = VirtualLibraryStore.Open(address.ConfigDirectory, ctx.StateDirectory);
            FaultSpec added;
            try
            {
                added = store.Library.AddFault(spec, p.GetValue(seconds) is double secs ? TimeSpan.FromSeconds(secs) : null);
            }
            catch (VirtualOperatorException e)
            {
                throw new UsageException(e.Message);   // every refusal here is about the arguments given
            }
            store.Save();
            string message = "fault added: " + added.Describe();
            ctx.Emit(new FaultsDocument(message, [ToJson(added)]), static () => CliJsonContext.Default.FaultsDocument, message);
            return Task.CompletedTask;
        }));

        var list = new Command("list", "List the active faults.");
        list.SetAction(Handler((ctx, _, _) =>
        {
            var address = RequireVirtual(ctx);
            using var store = VirtualLibraryStore.Open(address.ConfigDirectory, ctx.StateDirectory);
            var faults = store.Library.Faults;
            store.Save();
            string human = faults.Count == 0 ? "no faults" : string.Join('\n', faults.Select(f => f.Describe()));
            ctx.Emit(new FaultsDocument(faults.Count == 0 ? "no faults" : $"{faults.Count} fault(s)", faults.Select(ToJson).ToList()), static () => CliJsonContext.Default.FaultsDocument, human);
            return Task.CompletedTask;
        }));

        var id = new Argument<int?>("ID") { Description = "The fault to clear (from 'virtual fault list'); default: all.", Arity = ArgumentArity.ZeroOrOne };
        var clear = new Command("clear", "Remove one fault, or all of them.") { id };
        clear.SetAction(Act((lib, p) =>
        {
            int? which = p.GetValue(id);
            int n;
            try { n = lib.ClearFaults(which); }
            catch (VirtualOperatorException e) { throw new UsageException(e.Message); }
            return which is int w ? $"fault #{w} cleared" : $"{n} fault(s) cleared";
        }));
        cmd.Subcommands.Add(add);
        cmd.Subcommands.Add(list);
        cmd.Subcommands.Add(clear);
        return cmd;
    }

    /// <summary>"KK/AA/QQ" or "AA/QQ" (the key then defaults to the kind's), hex.</summary>
    private static (byte Key, byte Asc, byte Ascq) ParseSense(string text, FaultKind kind)
    {
        var parts = text.Split('/');
        var bytes = new List<byte>();
        foreach (var part in parts)
        {
            string t = part.Trim();
            if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) t = t[2..];
            if (t.Length is 0 or > 2 || !byte.TryParse(t, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b))
                throw new UsageException($"--sense '{text}' is not KEY/ASC/ASCQ or ASC/ASCQ in hex (e.g. 02/04/01)");
            bytes.Add(b);
        }
        return bytes.Count switch
        {
            3 => (bytes[0], bytes[1], bytes[2]),
            2 => (FaultNames.DefaultSense(kind).Key is byte key and not 0 ? key : throw new UsageException($"--sense for {FaultNames.Name(kind)} needs the sense key too: KEY/ASC/ASCQ"), bytes[0], bytes[1]),
            _ => throw new UsageException($"--sense '{text}' is not KEY/ASC/ASCQ or ASC/ASCQ in hex (e.g. 02/04/01)"),
        };
    }

    private static FaultJson ToJson(FaultSpec f) => new(
        f.Id, FaultNames.Name(f.Kind), f.Command, f.Element, f.Lun == 0 ? null : f.Lun - 1, f.Remaining, f.Until,
        f.Kind is FaultKind.Busy or FaultKind.Timeout or FaultKind.Drop ? null : $"{f.Key:X2}/{f.Asc:X2}/{f.Ascq:X2}",
        f.Kind == FaultKind.MagazineRemoved ? f.Magazine : null, f.AfterExecute, f.Fired, f.Describe());
}
