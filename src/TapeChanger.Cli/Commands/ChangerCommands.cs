using System.CommandLine;
using System.Text;
using TapeChanger.Cleaning;
using TapeChanger.Cli.Output;
using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using static TapeChanger.Cli.TapeChangerCli;

namespace TapeChanger.Cli.Commands;

/// <summary>The mtx-compatible verbs that talk to a changer.</summary>
internal static class ChangerCommands
{
    /// <summary>
    /// Each verb's name and how to build it: a command line builds only the verb it names (TapeChangerCli.BuildRoot),
    /// so `status` does not construct every other command's options first. A test holds each name to its command.
    /// </summary>
    public static readonly (string Name, Func<Command> Build)[] Verbs =
    [
        ("status", Status), ("inquiry", Inquiry), ("load", Load), ("unload", Unload), ("transfer", Transfer), ("exchange", Exchange),
        ("position", Position), ("move", Move), ("import", Import), ("export", Export), ("inventory", Inventory), ("ieport", IePort),
    ];

    private static Argument<int> Slot(string name = "SLOT", string description = "Slot number (1-based: storage then import/export, in address order).") =>
        new(name) { Description = description };

    private static Command Status()
    {
        var cmd = new Command("status", "Show drives, import/export slots, storage slots and picker, with barcodes, source slots and cleaners.");
        cmd.SetAction(Handler(async (ctx, _, ct) =>
        {
            await using var changer = await ctx.OpenChangerAsync(ct, readOnly: true);
            var status = await changer.GetStatusAsync(ct);
            var (cleaner, serial) = await CleanerStateAsync(ctx, changer, status.Identity, ct);
            var pending = cleaner?.PendingCleaning ?? [];
            ushort? reserved = cleaner?.Reservation?.Address;
            NeedsCleaningJson? Needs(TapeChanger.Domain.Element e) =>
                e.Type == Scsi.ElementType.DataTransfer && pending.TryGetValue(Cleaning.CleanerState.DriveKey(e.DriveSerial, e.Address), out var r)
                    ? new NeedsCleaningJson(r.Reason, r.Since) : null;
            // A cleaning of the drive that has not ended (queued, in process, interrupted): the oldest, as the journal runs them.
            var unfinished = (cleaner?.Operations ?? []).Where(o => o.Kind == Cleaning.OperationKind.Clean && !o.State.IsFinal() && o.Drive is not null)
                .OrderBy(o => o.Created).ToList();
            // The drive's own function holds the lambda: its closure is made for drives only, not for each element.
            CleaningNowJson? Now(TapeChanger.Domain.Element e) => e.Type == Scsi.ElementType.DataTransfer ? DriveNow(e.Drive) : null;
            CleaningNowJson? DriveNow(int? drive) =>
                unfinished.FirstOrDefault(o => o.Drive == drive) is { } o ? new CleaningNowJson(o.Id, o.State.Name(), o.Step.Name(), o.Created) : null;
            if (!ctx.Json)
            {
                // Text only: neither the JSON document nor its serializer metadata is built (start-up cost, tools/bench.sh).
                StatusRenderer.Write(ctx.Out, status, ctx.DeviceUri, e => string.Join("; ", new[]
                {
                    Now(e) is { } c ? $"CLEANING ({c.State}{(c.Step is { } step ? $", {step}" : "")}; operation {c.Operation})" : null,
                    Needs(e) is { } n ? $"NEEDS CLEANING since {n.Since:u} ({n.Reason})" : null,
                }.OfType<string>()) is { Length: > 0 } note ? note : null, reserved);
                ctx.Out.WriteLine();
                return;
            }
            // The serial for the JSON document: from the library cache once kept (no command), else VPD 80h once.
            // A replay script answers only what was recorded: never ask it for more.
            if (serial is null && ctx.Address.Scheme != TapeChanger.Transport.DeviceScheme.Replay)
                serial = (await changer.GetIdentityAsync(withSerial: true, ct)).SerialNumber;
            var doc = new StatusDocument(ctx.DeviceUri,
                new LibraryJson(status.Identity.Vendor, status.Identity.Product, status.Identity.Revision, serial ?? status.Identity.SerialNumber),
                JsonMapper.ToJson(status.Map),
                // Mapped as the writer reaches each element: a 50,000-element library never holds 50,000 of them at once.
                new StatusElements(status.Elements, status.Map, Needs, Now, reserved));
            // Member by member, in chunks (StatusJsonWriter): the serializer's bytes at a fraction of its cost.
            using (var stream = new TextWriterStream(ctx.Out)) StatusJsonWriter.Write(stream, doc);
            ctx.Out.WriteLine();
        }));
        return cmd;
    }

    /// <summary>
    /// The library's cleaner state (reserved slot, remembered requests for cleaning; a read-only look: no lock, nothing
    /// created) and the library's serial. The state is keyed by the library's serial, which costs one more INQUIRY
    /// (VPD 80h): asked only when the state holds a library of this vendor and product. A state that cannot be read does
    /// not stop `status`: one warning line, and `cleaner status` reports it.
    /// </summary>
    private static async Task<(Cleaning.CleanerState? State, string? Serial)> CleanerStateAsync(CliContext ctx, TapeChanger.Domain.MediaChanger changer,
        TapeChanger.Domain.LibraryIdentity id, CancellationToken ct)
    {
        string? serial = null;
        try
        {
            if (!Cleaning.CleanerStateStore.AnyLibrary(ctx.StateDirectory, id.Vendor, id.Product)) return (null, null);
            var full = await changer.GetIdentityAsync(withSerial: true, ct);
            serial = full.SerialNumber;
            return (new Cleaning.CleanerStateStore(ctx.StateDirectory, full.Vendor, full.Product, full.SerialNumber).Peek(), serial);
        }
        catch (Exception e) when (CliContext.IsUnreadableState(e))
        {
            ctx.WarnStateUnreadable(e);
            return (null, serial);
        }
    }

    private static Command Inquiry()
    {
        var cmd = new Command("inquiry", "Show the library's identity, serial number, element address map and capabilities.");
        cmd.SetAction(Handler(async (ctx, _, ct) =>
        {
            await using var changer = await ctx.OpenChangerAsync(ct, readOnly: true);
            var id = await changer.GetIdentityAsync(withSerial: true, ct);
            var notes = new List<string>();
            ElementMap? map = null;
            DeviceCapabilities? caps = null;
            if (id.DeviceType == 0x08)
            {
                map = await changer.GetMapAsync(ct);
                caps = await changer.DeviceCapabilitiesAsync(ct);
                if (caps is null) notes.Add("device capabilities page 1Fh not supported");
            }
            else
            {
                notes.Add($"peripheral device type {id.DeviceType:X2}h is not a medium changer (08h)");
            }
            var profile = ctx.SelectProfile(id.Vendor, id.Product, id.Revision);
            bool overridden = !profile.File!.StartsWith("hw-profiles/", StringComparison.Ordinal);
            string selectedBy = profile.Kind switch { ProfileSelectionKind.Forced => "option", ProfileSelectionKind.Fallback => "fallback", _ => "match" };
            Guid? libraryId = map is null ? null : TapeChanger.Cleaning.NtmsIds.Library(id.Vendor, id.Product, id.SerialNumber);
            var objects = new List<NtmsObjectJson>();
            // The RSM objects are in the JSON document only (the text names the library id): for the text, neither the
            // drives' READ ELEMENT STATUS nor a hash per slot (2,080 of them on a 2,000-slot library: 13 million
            // instructions, callgrind).
            if (map is not null && libraryId is Guid lib && ctx.Json)
            {
                foreach (var a in map.Storage.Addresses) objects.Add(new NtmsObjectJson("slot", a, map.SlotNumber(a), null, null, TapeChanger.Cleaning.NtmsIds.Slot(lib, a)));
                var drives = await changer.ReadElementsAsync(ElementType.DataTransfer, map.Drives.First, map.Drives.Count, ct);
                foreach (var d in drives)
                {
                    string? serial = d.DriveSerial;
                    objects.Add(new NtmsObjectJson("drive", d.Address, null, map.DriveNumber(d.Address), serial, TapeChanger.Cleaning.NtmsIds.Drive(lib, serial, d.Address)));
                }
            }
            var doc = new InquiryDocument(ctx.DeviceUri, id.Vendor, id.Product, id.Revision, id.SerialNumber, id.DeviceType,
                map is null ? null : JsonMapper.ToJson(map), caps is null ? null : JsonMapper.ToJson(caps), notes)
            {
                LibraryId = libraryId,
                Profile = profile.Profile.Name,
                ProfileReason = profile.Reason,
                ProfileSelectedBy = selectedBy,
                ProfileFile = profile.File,
                ProfileOverride = overridden,
                NtmsObjects = map is null ? null : objects,
            };
            var sb = new StringBuilder();
            sb.AppendLine($"Vendor:   {id.Vendor}");
            sb.AppendLine($"Product:  {id.Product}");
            sb.AppendLine($"Revision: {id.Revision}");
            sb.AppendLine($"Serial:   {id.SerialNumber ?? "(not reported)"}");
            sb.AppendLine($"Type:     {id.DeviceType:X2}h{(id.DeviceType == 0x08 ? " (medium changer)" : "")}");
            if (map is not null)
            {
                sb.AppendLine("Element address map:");
                foreach (var r in map.Ranges)
                {
                    string last = r.Count > 0 ? $"-{r.First + r.Count - 1}" : "";
                    sb.AppendLine($"  {JsonMapper.TypeName(r.Type),-13} {r.Count,5} element(s) at {r.First}{last}");
                }
            }
            if (caps is not null)
            {
                var cj = JsonMapper.ToJson(caps);
                sb.AppendLine($"Can store media in: {string.Join(", ", cj.Storage)}");
                foreach (var (from, to) in cj.MoveFrom) sb.AppendLine($"  move from {from,-13} to: {(to.Count == 0 ? "-" : string.Join(", ", to))}");
                sb.AppendLine($"EXCHANGE MEDIUM: {(cj.Exchange ? "supported" : "not supported")}");
            }
            sb.AppendLine($"Profile:  {profile.Profile.Name} ({profile.Reason})");
            sb.AppendLine($"          from {(overridden ? "override file " : "")}{profile.File}");
            if (libraryId is Guid lg) sb.AppendLine($"RSM library id: {lg}");
            foreach (var n in notes) sb.AppendLine($"Note: {n}");
            ctx.Emit(doc, static () => CliJsonContext.Default.InquiryDocument, sb.ToString().TrimEnd());
        }));
        return cmd;
    }

    private static void EmitMove(CliContext ctx, MoveResult r, ElementMap map, string verb)
    {
        string text = $"{verb}: {r.Barcode ?? "cartridge"} from {map.Describe(r.Source)} to {map.Describe(r.Destination)}";
        ctx.Emit(new MoveDocument(verb, r.Source, r.Destination, r.Barcode), static () => CliJsonContext.Default.MoveDocument, text);
    }

    private static Command Load()
    {
        var slot = Slot();
        var drive = new Argument<int>("DRIVE") { Description = "Drive number (0-based).", DefaultValueFactory = _ => 0 };
        var cmd = new Command("load", "Load the cartridge in SLOT into DRIVE.") { slot, drive };
        cmd.SetAction(Handler(async (ctx, p, ct) =>
        {
            await using var changer = await ctx.OpenChangerAsync(ct);
            using var robot = await ctx.LockRobotAsync(changer, ct);
            var r = await changer.LoadAsync(p.GetValue(slot), p.GetValue(drive), ct);
            EmitMove(ctx, r, await changer.GetMapAsync(ct), "load");
        }));
        return cmd;
    }

    private static Command Unload()
    {
        var slot = new Argument<int?>("SLOT") { Description = "Destination slot; default: the slot the cartridge came from.", Arity = ArgumentArity.ZeroOrOne };
        var drive = new Argument<int?>("DRIVE") { Description = "Drive number (0-based), default 0.", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("unload", "Return the cartridge in DRIVE to SLOT, or to its source slot.") { slot, drive };
        cmd.SetAction(Handler(async (ctx, p, ct) =>
        {
            await using var changer = await ctx.OpenChangerAsync(ct);
            using var robot = await ctx.LockRobotAsync(changer, ct);
            var r = await changer.UnloadAsync(p.GetValue(slot), p.GetValue(drive) ?? 0, ct);
            EmitMove(ctx, r, await changer.GetMapAsync(ct), "unload");
        }));
        return cmd;
    }

    private static Command Transfer()
    {
        var from = Slot("SOURCE", "Source slot.");
        var to = Slot("DESTINATION", "Destination slot.");
        var cmd = new Command("transfer", "Move a cartridge from one slot to another.") { from, to };
        cmd.SetAction(Handler(async (ctx, p, ct) =>
        {
            await using var changer = await ctx.OpenChangerAsync(ct);
            using var robot = await ctx.LockRobotAsync(changer, ct);
            var r = await changer.TransferAsync(p.GetValue(from), p.GetValue(to), ct);
            EmitMove(ctx, r, await changer.GetMapAsync(ct), "transfer");
        }));
        return cmd;
    }

    private static Command Exchange()
    {
        var a = Slot("SLOT1", "Cartridge to move to SLOT2.");
        var b = Slot("SLOT2", "Slot whose cartridge moves on to SLOT3 (or SLOT1).");
        var c = new Argument<int?>("SLOT3") { Description = "Where SLOT2's cartridge goes; default SLOT1.", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("exchange", "EXCHANGE MEDIUM: SLOT1 → SLOT2 and SLOT2 → SLOT3 (or SLOT1) in one robot operation.") { a, b, c };
        cmd.SetAction(Handler(async (ctx, p, ct) =>
        {
            await using var changer = await ctx.OpenChangerAsync(ct);
            using var robot = await ctx.LockRobotAsync(changer, ct);
            await changer.ExchangeAsync(p.GetValue(a), p.GetValue(b), p.GetValue(c), ct);
            ctx.Done($"exchanged slot {p.GetValue(a)} and slot {p.GetValue(b)}");
        }));
        return cmd;
    }

    private static Command Position()
    {
        var slot = Slot();
        var cmd = new Command("position", "POSITION TO ELEMENT: move the picker in front of SLOT.") { slot };
        cmd.SetAction(Handler(async (ctx, p, ct) =>
        {
            await using var changer = await ctx.OpenChangerAsync(ct);
            using var robot = await ctx.LockRobotAsync(changer, ct);
            await changer.PositionAsync(p.GetValue(slot), ct);
            ctx.Done($"picker positioned at slot {p.GetValue(slot)}");
        }));
        return cmd;
    }

    private static Command Move()
    {
        var src = new Argument<ushort>("SOURCE") { Description = "Source element address (raw, as in 'inquiry')." };
        var dst = new Argument<ushort>("DESTINATION") { Description = "Destination element address." };
        var cmd = new Command("move", "MOVE MEDIUM between raw element addresses.") { src, dst };
        cmd.SetAction(Handler(async (ctx, p, ct) =>
        {
            await using var changer = await ctx.OpenChangerAsync(ct);
            using var robot = await ctx.LockRobotAsync(changer, ct);
            var r = await changer.MoveAsync(p.GetValue(src), p.GetValue(dst), null, ct);
            EmitMove(ctx, r, await changer.GetMapAsync(ct), "move");
        }));
        return cmd;
    }

    private static Command Import()
    {
        var slot = new Argument<int?>("SLOT") { Description = "Destination slot; default: the first free storage slot.", Arity = ArgumentArity.ZeroOrOne };
        var element = new Option<ushort?>("--element") { Description = "Import/export element address to take from; default: the first full one." };
        var cmd = new Command("import", "Move a cartridge from an import/export slot (mail slot) into storage.") { slot, element };
        cmd.SetAction(Handler(async (ctx, p, ct) =>
        {
            await using var changer = await ctx.OpenChangerAsync(ct);
            using var robot = await ctx.LockRobotAsync(changer, ct);
            var r = await changer.ImportAsync(p.GetValue(slot), p.GetValue(element), ct);
            EmitMove(ctx, r, await changer.GetMapAsync(ct), "import");
        }));
        return cmd;
    }

    private static Command Export()
    {
        var slot = Slot();
        var element = new Option<ushort?>("--element") { Description = "Import/export element address to use; default: the first free one." };
        var cmd = new Command("export", "Move the cartridge in SLOT to a free import/export slot (mail slot).") { slot, element };
        cmd.SetAction(Handler(async (ctx, p, ct) =>
        {
            await using var changer = await ctx.OpenChangerAsync(ct);
            using var robot = await ctx.LockRobotAsync(changer, ct);
            var r = await changer.ExportAsync(p.GetValue(slot), p.GetValue(element), ct);
            EmitMove(ctx, r, await changer.GetMapAsync(ct), "export");
        }));
        return cmd;
    }

    private static Command Inventory()
    {
        var range = new Option<ushort[]>("--range")
        {
            Description = "Only FIRST COUNT elements (INITIALIZE ELEMENT STATUS WITH RANGE).",
            Arity = new ArgumentArity(2, 2),
            AllowMultipleArgumentsPerToken = true,
        };
        var cmd = new Command("inventory", "Make the library re-scan its elements (INITIALIZE ELEMENT STATUS).") { range };
        cmd.SetAction(Handler(async (ctx, p, ct) =>
        {
            // Without --range System.CommandLine gives an empty array, not null.
            var r = p.GetValue(range) is { Length: 2 } given ? given : null;
            if (r is { Length: 2 } && r[1] == 0) throw new UsageException("--range COUNT must be at least 1");
            await using var changer = await ctx.OpenChangerAsync(ct);
            await changer.InventoryAsync(r?[0], r?[1], ct);
            ctx.Done(r is null ? "inventory complete" : $"inventory of {r[1]} element(s) from {r[0]} complete");
        }));
        return cmd;
    }

    private static Command IePort()
    {
        var action = new Argument<string>("ACTION") { Description = "lock or unlock" };
        action.AcceptOnlyFromAmong("lock", "unlock");
        var cmd = new Command("ieport", "Lock or unlock the import/export port and doors (PREVENT/ALLOW MEDIUM REMOVAL).") { action };
        cmd.SetAction(Handler(async (ctx, p, ct) =>
        {
            bool lockIt = p.GetValue(action) == "lock";
            await using var changer = await ctx.OpenChangerAsync(ct);
            await changer.LockImportExportAsync(lockIt, ct);
            ctx.Done(lockIt ? "import/export port locked" : "import/export port unlocked");
        }));
        return cmd;
    }
}
