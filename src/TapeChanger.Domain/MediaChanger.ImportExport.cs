using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;

namespace TapeChanger.Domain;

// The mail slot (import/export elements): export to the first free one, import preferring what the operator placed,
// and locking the port (PREVENT ALLOW MEDIUM REMOVAL).
public sealed partial class MediaChanger
{
    /// <summary>export: storage slot → first free import/export element (or the given one).</summary>
    public async ValueTask<MoveResult> ExportAsync(int slot, ushort? ieElement, CancellationToken ct = default)
    {
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        ushort source = map.SlotAddress(slot);
        if (map.ImportExport.Count == 0) throw new ChangerOperationException(ChangerError.NotSupported, "export failed: this library reports no import/export elements (mail slots)");
        ushort destination = ieElement ?? await FirstFreeAsync(map.ImportExport, "export failed: every import/export slot is full; empty the mail slot first", ct).ConfigureAwait(false);
        if (!map.ImportExport.Contains(destination)) throw new ChangerOperationException(ChangerError.InvalidElement, $"export failed: element {destination} is not an import/export element");
        return await MoveAsync(source, destination, $"export slot {slot}", ct).ConfigureAwait(false);
    }

    /// <summary>import: a full import/export element (or the given one) → the given slot or the first free storage slot.</summary>
    public async ValueTask<MoveResult> ImportAsync(int? slot, ushort? ieElement, CancellationToken ct = default)
    {
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        if (map.ImportExport.Count == 0) throw new ChangerOperationException(ChangerError.NotSupported, "import failed: this library reports no import/export elements (mail slots)");
        ushort source;
        if (ieElement is ushort ie)
        {
            if (!map.ImportExport.Contains(ie)) throw new ChangerOperationException(ChangerError.InvalidElement, $"import failed: element {ie} is not an import/export element");
            source = ie;
        }
        else
        {
            var ies = await Run("read element status", () => _client.ReadElementStatusAsync(ElementType.ImportExport, map.ImportExport.First, map.ImportExport.Count, ct)).ConfigureAwait(false);
            // Prefer cartridges the operator placed (ImpExp=1) over ones the robot exported.
            var full = ies.Where(e => e.Full).OrderByDescending(e => e.ImpExp).ThenBy(e => e.Address).FirstOrDefault()
                ?? throw new ChangerOperationException(ChangerError.SourceEmpty, "import failed: no cartridge in any import/export slot");
            source = full.Address;
        }
        ushort destination = slot is int s ? map.SlotAddress(s)
            : await FirstFreeAsync(map.Storage, "import failed: no free storage slot", ct).ConfigureAwait(false);
        return await MoveAsync(source, destination, $"import from {map.Describe(source)}", ct).ConfigureAwait(false);
    }

    /// <summary>Locks or unlocks the import/export port and doors (PREVENT ALLOW MEDIUM REMOVAL).</summary>
    public ValueTask LockImportExportAsync(bool locked, CancellationToken ct = default) =>
        Run(locked ? "lock the import/export port" : "unlock the import/export port", () => _client.PreventAllowMediumRemovalAsync(locked, ct));

    private async ValueTask<ushort> FirstFreeAsync(ElementRange range, string whenNone, CancellationToken ct)
    {
        var all = await Run("read element status", () => _client.ReadElementStatusAsync(range.Type, range.First, range.Count, ct)).ConfigureAwait(false);
        var free = all.FirstOrDefault(e => !e.Full && !e.Except && !_settings.ReservedAddresses.Contains(e.Address)) ?? throw new ChangerOperationException(ChangerError.NoFreeElement, whenNone);
        return free.Address;
    }
}
