using TapeChanger.Scsi.Decoding;
using TapeChanger.Transport;

namespace TapeChanger.Domain;

/// <summary>What the changer says about one data transfer element: its address and, when reported, the drive's identity.</summary>
/// <param name="Address">Element address.</param>
/// <param name="Serial">Drive serial from the DVCID identifier (serial-only, or the tail of a T10 vendor ID designator).</param>
/// <param name="IdentifierText">Whole identifier text, for a looser "ends with" match (some libraries pad or prefix it).</param>
/// <param name="ScsiId">SCSI-2 style bus ID (IDVALID), for libraries without DVCID.</param>
/// <param name="Lun">SCSI-2 style LUN (LUVALID).</param>
/// <param name="Truncated">The identifier arrived cut short (the reply ended inside it), so only its start is known.</param>
public sealed record DriveElementIdentity(ushort Address, string? Serial, string? IdentifierText, byte? ScsiId = null, byte? Lun = null, bool Truncated = false)
{
    /// <summary>From a decoded READ ELEMENT STATUS descriptor of a drive (SMC-3 §6.11, data transfer element descriptor: DVCID, IDVALID, LUVALID).</summary>
    public static DriveElementIdentity From(ElementDescriptor drive)
    {
        ArgumentNullException.ThrowIfNull(drive);
        return new(drive.Address, drive.Identifier?.SerialNumber, drive.Identifier?.IsText == true ? drive.Identifier.Text : null, drive.ScsiId, drive.Lun,
            drive.Identifier?.Truncated == true || drive.Partial);
    }
}

/// <summary>How a drive element was matched to a tape device.</summary>
public enum PairingMethod
{
    /// <summary>Not matched.</summary>
    None,
    /// <summary>DVCID serial equals the drive's VPD 80h serial.</summary>
    Serial,
    /// <summary>The DVCID identifier text ends with the drive's serial.</summary>
    IdentifierSuffix,
    /// <summary>The DVCID identifier was cut short and exactly one unmatched drive's serial starts with what arrived.</summary>
    SerialPrefix,
    /// <summary>SCSI-2 bus ID/LUN in the element descriptor match the drive's target/LUN on the changer's host and channel.</summary>
    BusAddress,
}

/// <summary>One drive element and the tape device found for it (null when none matched).</summary>
/// <param name="DriveNumber">0-based drive number in element address order (mtx numbering).</param>
public sealed record DrivePair(int DriveNumber, ushort ElementAddress, DriveElementIdentity Element, DriveCandidate? Drive, PairingMethod Method);

/// <summary>
/// Pairs a changer's data transfer elements with the tape drives a locator found: the one pairing algorithm, for every
/// transport (pure; no I/O).
/// </summary>
public static class DrivePairing
{
    /// <summary>
    /// Matches each element with at most one drive and each drive with at most one element, in passes: exact serial,
    /// identifier suffix, serial prefix (a cut identifier), then the SCSI-2 bus address (only when the changer's bus
    /// address is known; same host and channel). A pass only takes unambiguous matches. Serials compare
    /// case-insensitively after trimming spaces and NULs.
    /// </summary>
    public static IReadOnlyList<DrivePair> Pair(IReadOnlyList<DriveElementIdentity> elements, DriveCandidates candidates)
    {
        ArgumentNullException.ThrowIfNull(elements);
        ArgumentNullException.ThrowIfNull(candidates);
        var ordered = elements.OrderBy(e => e.Address).ToList();
        var tapes = candidates.Drives;
        var chosen = new (DriveCandidate? Drive, PairingMethod Method)[ordered.Count];
        var used = new HashSet<DriveCandidate>(ReferenceEqualityComparer.Instance);

        void Pass(PairingMethod method, Func<DriveElementIdentity, DriveCandidate, bool> matches)
        {
            for (int i = 0; i < ordered.Count; i++)
            {
                if (chosen[i].Drive is not null) continue;
                var found = tapes.Where(t => !used.Contains(t) && matches(ordered[i], t)).ToList();
                if (found.Count != 1) continue;        // none, or ambiguous: leave for a later pass or unmatched
                chosen[i] = (found[0], method);
                used.Add(found[0]);
            }
        }

        Pass(PairingMethod.Serial, (e, t) => !e.Truncated && Norm(e.Serial) is { } s && s == Norm(t.Serial));
        Pass(PairingMethod.IdentifierSuffix, (e, t) => !e.Truncated && Norm(e.IdentifierText) is { } id && Norm(t.Serial) is { } s && s.Length >= 4
            && id.EndsWith(s, StringComparison.Ordinal));
        // A cut identifier may keep only a few characters (tgt left "DR" of "DRV00002"): it still pairs when exactly one
        // drive that no other element took starts with them.
        Pass(PairingMethod.SerialPrefix, (e, t) => e.Truncated && Norm(e.Serial) is { } part && Norm(t.Serial) is { } s
            && s.StartsWith(part, StringComparison.Ordinal));
        if (candidates.ChangerBus is { } ca)
        {
            Pass(PairingMethod.BusAddress, (e, t) => e.ScsiId is { } id && t.Bus is { } ta
                && ta.Host == ca.Host && ta.Channel == ca.Channel && ta.Target == id && ta.Lun == (e.Lun ?? 0));
        }
        return ordered.Select((e, i) => new DrivePair(i, e.Address, e, chosen[i].Drive, chosen[i].Drive is null ? PairingMethod.None : chosen[i].Method)).ToList();
    }

    private static string? Norm(string? s)
    {
        var t = s?.Trim(' ', '\0');
        return string.IsNullOrEmpty(t) ? null : t.ToUpperInvariant();
    }
}
