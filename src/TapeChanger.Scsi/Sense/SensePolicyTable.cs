namespace TapeChanger.Scsi.Sense;

/// <summary>
/// The sense policy as data: every changer-relevant key/ASC/ASCQ of SPC-4 §4.5.6 and docs/reference/library-behaviour.md §S1-§S10, with
/// the action the SMC client takes, the operator-level failure category, an operator-language meaning (what happened;
/// what to do) and the source of the fact. <see cref="Lookup"/> always returns a rule: profile overrides first, then
/// the most specific built-in row, then the sense key's default row.
/// </summary>
public static class SensePolicy
{
    private const string Move = "MOVE MEDIUM", Exchange = "EXCHANGE MEDIUM", Position = "POSITION TO ELEMENT";

    private static SenseRule R(SenseKey? key, byte asc, byte? ascq, SenseAction action, SenseFailure failure, string meaning, string source,
        params string[] commands) => new(key, asc, ascq, action, failure, meaning, source, commands.Length == 0 ? null : commands);

    private const SenseKey UA = SenseKey.UnitAttention, NR = SenseKey.NotReady, IR = SenseKey.IllegalRequest, HW = SenseKey.HardwareError;

    /// <summary>The built-in rows, in table order (README "Sense policy" lists them in this order).</summary>
    public static IReadOnlyList<SenseRule> Rules { get; } =
    [
        // ---- retry soon: unit attentions (the command is re-sent; cached element status is stale)
        R(UA, 0x28, 0x00, SenseAction.RetrySoon, SenseFailure.DeviceError, "the library became ready again (e.g. a door was closed); element status may have changed", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §17"),
        R(UA, 0x28, 0x01, SenseAction.RetrySoon, SenseFailure.DeviceError, "an import/export slot (mail slot) was opened or used", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §S3"),
        R(UA, 0x28, 0x03, SenseAction.RetrySoon, SenseFailure.DeviceError, "an import/export slot was used and its cartridge changed", "SPC-4 §4.5.6"),
        R(UA, 0x29, null, SenseAction.RetrySoon, SenseFailure.DeviceError, "the library was powered on or reset", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §1"),
        R(UA, 0x2A, 0x01, SenseAction.RetrySoon, SenseFailure.DeviceError, "the library's mode parameters changed", "SPC-4 §4.5.6"),
        R(UA, 0x2A, 0x03, SenseAction.RetrySoon, SenseFailure.DeviceError, "another host preempted the reservation", "SPC-4 §4.5.6"),
        R(UA, 0x2F, 0x00, SenseAction.RetrySoon, SenseFailure.DeviceError, "another host cleared the queued commands", "SPC-4 §4.5.6"),
        R(UA, 0x3F, null, SenseAction.RetrySoon, SenseFailure.DeviceError, "the library's operating conditions changed (firmware, configuration or identity)", "SPC-4 §4.5.6"),
        R(UA, 0x3B, 0x12, SenseAction.RetrySoon, SenseFailure.DeviceError, "a magazine was removed", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §S2 (SL3 SIG)"),
        R(UA, 0x3B, 0x13, SenseAction.RetrySoon, SenseFailure.DeviceError, "a magazine was inserted", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §S2 (SL3 SIG)"),
        R(UA, 0x3B, 0x1A, SenseAction.RetrySoon, SenseFailure.DeviceError, "a drive was removed from the library", "SPC-4 §4.5.6"),
        R(UA, 0x3B, 0x1B, SenseAction.RetrySoon, SenseFailure.DeviceError, "a drive was added to the library", "SPC-4 §4.5.6"),
        R(UA, 0x3B, 0x20, SenseAction.RetrySoon, SenseFailure.DeviceError, "the library's element configuration changed", "SPC-4 §4.5.6"),
        R(UA, 0x5A, 0x01, SenseAction.RetrySoon, SenseFailure.DeviceError, "the operator asked at the panel for a cartridge to be removed", "SPC-4 §4.5.6"),

        // ---- wait and retry with backoff, up to the profile's BecomingReadyLimit
        R(NR, 0x04, 0x00, SenseAction.WaitAndRetry, SenseFailure.NotReady, "the library is not ready (no cause reported)", "SPC-4 §4.5.6; docs/reference/mhvtl.md §10"),
        R(NR, 0x04, 0x01, SenseAction.WaitAndRetry, SenseFailure.NotReady, "the library is becoming ready (starting up or taking inventory)", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §16 (PBS: 5 min)"),
        R(NR, 0x04, 0x07, SenseAction.WaitAndRetry, SenseFailure.NotReady, "the library is busy with another operation", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §S2 (SL3 SIG)"),
        R(NR, 0x3E, 0x00, SenseAction.WaitAndRetry, SenseFailure.NotReady, "the library has not finished configuring itself", "SPC-4 §4.5.6"),
        R(NR, 0x30, 0x03, SenseAction.CleaningInProgress, SenseFailure.NotReady, "a cleaning cartridge is in the drive and cleaning is in progress", "docs/reference/library-behaviour.md §S8 (SL150, amanda); docs/reference/mhvtl.md §10"),

        // ---- wait for the operator (RetryPolicy.OperatorWaitLimit; 0 = fail at once with this text)
        R(NR, 0x04, 0x18, SenseAction.WaitForOperator, SenseFailure.OperatorIntervention, "a library door is open; close the door", "SPC-4 §4.5.6"),
        R(NR, 0x04, 0x83, SenseAction.WaitForOperator, SenseFailure.OperatorIntervention, "the library is paused or a magazine door is open; close the doors and resume the library at its panel", "docs/reference/library-behaviour.md §S1 (Magnum 1x7 ref, amanda)"),
        R(NR, 0x04, 0x85, SenseAction.WaitForOperator, SenseFailure.OperatorIntervention, "the library is in pause mode or its door is open; close the door and take the library out of pause mode", "docs/reference/library-behaviour.md §S1 (amanda, CTA); docs/reference/library-behaviour.md §16"),
        R(NR, 0x04, 0x8E, SenseAction.WaitForOperator, SenseFailure.OperatorIntervention, "the library is in sequential mode; switch it to random mode at its panel", "docs/reference/library-behaviour.md §16 (mtx FAQ, TL2000)"),
        R(NR, 0x04, 0x03, SenseAction.WaitForOperator, SenseFailure.OperatorIntervention, "the library needs manual intervention; check its operator panel", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §S1 (ATL L500, SuperLoader 3)"),
        R(NR, 0x3A, 0x02, SenseAction.WaitForOperator, SenseFailure.OperatorIntervention, "the import/export port (mail slot) is open; close it", "SPC-4 §4.5.6; docs/reference/mhvtl.md §8"),
        R(NR, 0x3B, 0x12, SenseAction.WaitForOperator, SenseFailure.OperatorIntervention, "a magazine has been removed; insert it", "docs/reference/library-behaviour.md §S2 (TL2000 UG)"),
        R(NR, 0x5A, 0x01, SenseAction.WaitForOperator, SenseFailure.OperatorIntervention, "the operator is removing a cartridge at the panel; finish the panel operation", "docs/reference/library-behaviour.md §S8 (CTA table)"),

        // ---- fail with a clear message
        R(null, 0x3B, 0x0D, SenseAction.Fail, SenseFailure.DestinationFull, "the destination element is full", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §S5"),
        R(null, 0x3B, 0x0E, SenseAction.Fail, SenseFailure.SourceEmpty, "the source element is empty", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §S4"),
        R(null, 0x21, 0x01, SenseAction.Fail, SenseFailure.InvalidElement, "the library rejected an element address as invalid", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §S6"),
        R(IR, 0x24, 0x00, SenseAction.Fail, SenseFailure.InvalidElement, "the library rejected the request (invalid field in CDB; tgt reports bad element addresses this way)", "docs/reference/tgt.md §5", Move, Exchange, Position),
        R(IR, 0x24, 0x00, SenseAction.Fail, SenseFailure.DeviceError, "the library rejected a field of the command (the field pointer names it); it may not support this option", "SPC-4 §4.5; docs/reference/library-behaviour.md §5"),
        R(null, 0x53, 0x02, SenseAction.Fail, SenseFailure.RemovalPrevented, "medium removal is prevented (PREVENT MEDIUM REMOVAL is active); run 'ieport unlock'", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §S7"),
        R(null, 0x53, 0x03, SenseAction.UnloadDriveAndRetry, SenseFailure.RemovalPrevented, "the drive still holds the cartridge; unload it in the drive first (mt offline)", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §S7 (pytarchive)"),
        R(IR, 0x20, 0x00, SenseAction.Fail, SenseFailure.NotSupported, "the library does not support this command", "SPC-4 §4.5.6; docs/reference/tgt.md §3"),
        R(IR, 0x25, 0x00, SenseAction.Fail, SenseFailure.DeviceError, "the device has no such logical unit; check the LUN in the device URI", "SPC-4 §4.5.6"),
        R(HW, 0x15, 0x01, SenseAction.Fail, SenseFailure.DriveRejectedMedium, "the robot could not complete the move (mechanical positioning error); the drive may have rejected the cartridge", "SPC-4 §4.5.6; docs/reference/tgt.md §5 (tgt)"),
        R(HW, 0x04, 0x03, SenseAction.Fail, SenseFailure.DriveRejectedMedium, "the drive rejected the cartridge (incompatible or damaged medium)", "docs/reference/mhvtl.md §8 (mhVTL)"),
        R(null, 0x30, 0x00, SenseAction.Fail, SenseFailure.DriveRejectedMedium, "the drive rejected the cartridge: incompatible medium", "SPC-4 §4.5.6"),
        R(null, 0x53, 0x09, SenseAction.Fail, SenseFailure.DriveRejectedMedium, "the drive could not load the cartridge (incompatible or damaged medium)", "SPC-4 §4.5.6"),
        R(null, 0x53, 0x00, SenseAction.Fail, SenseFailure.DeviceError, "loading or ejecting the cartridge failed; check the drive and the cartridge", "SPC-4 §4.5.6"),
        R(null, 0x53, 0x0A, SenseAction.Fail, SenseFailure.DeviceError, "the drive could not unload the cartridge; check the drive", "SPC-4 §4.5.6"),
        R(null, 0x53, 0x0B, SenseAction.Fail, SenseFailure.DeviceError, "the drive reports the cartridge missing at unload; run 'inventory' and check the library", "SPC-4 §4.5.6"),
        R(null, 0x53, 0x0C, SenseAction.Fail, SenseFailure.DeviceError, "the drive could not eject the cartridge; check the drive", "SPC-4 §4.5.6"),
        R(null, 0x53, 0x0D, SenseAction.Fail, SenseFailure.DeviceError, "the drive cannot communicate with the library; check the drive's library connection", "SPC-4 §4.5.6"),
        R(null, 0x3B, 0x16, SenseAction.Fail, SenseFailure.DeviceError, "the robot reported a mechanical positioning or changer error; check the library", "SPC-4 §4.5.6"),
        R(null, 0x44, 0x00, SenseAction.Fail, SenseFailure.DeviceError, "the library reported an internal failure; power-cycle it or call service", "SPC-4 §4.5.6"),
        R(NR, 0x04, 0x02, SenseAction.Fail, SenseFailure.NotReady, "the library needs an inventory first; run 'inventory'", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §17"),
        R(NR, 0x04, 0x12, SenseAction.Fail, SenseFailure.NotReady, "the library is offline; set it online at its panel", "SPC-4 §4.5.6; docs/reference/mhvtl.md §5"),
        R(NR, 0x04, 0x15, SenseAction.Fail, SenseFailure.NotReady, "the library's robotics are disabled; enable them at its panel", "SPC-4 §4.5.6"),
        R(NR, 0x04, 0x16, SenseAction.Fail, SenseFailure.NotReady, "the library needs to be configured at its panel", "SPC-4 §4.5.6"),
        R(NR, 0x04, 0x17, SenseAction.Fail, SenseFailure.NotReady, "the library needs calibration; calibrate it from its panel", "SPC-4 §4.5.6"),
        R(NR, 0x3A, 0x00, SenseAction.Fail, SenseFailure.NotReady, "there is no cartridge in the drive", "SPC-4 §4.5.6; docs/reference/mhvtl.md §10"),
        R(null, 0x3B, 0x11, SenseAction.Fail, SenseFailure.OperatorIntervention, "a magazine is not accessible; insert it and retry", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §S2"),
        R(null, 0x3B, 0x12, SenseAction.Fail, SenseFailure.OperatorIntervention, "a magazine is missing; insert it and retry", "docs/reference/library-behaviour.md §S2 (element ASC 3B/12); docs/reference/library-behaviour.md §14"),
        R(null, 0x3B, 0x18, SenseAction.Fail, SenseFailure.DeviceError, "the element is disabled; enable it at the library's panel", "SPC-4 §4.5.6"),
        R(null, 0x3B, 0x1A, SenseAction.Fail, SenseFailure.InvalidElement, "no drive is installed in this drive bay", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §14 (SL4000)"),
        R(null, 0x30, 0x0A, SenseAction.Fail, SenseFailure.CleaningFailed, "the drive rejected the cleaning request", "SPC-4 §4.5.6"),

        // ---- the drive asks to be cleaned
        R(null, 0x00, 0x17, SenseAction.MarkDriveNeedsCleaning, SenseFailure.DeviceError, "the drive asks to be cleaned", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §S8 (SLR100 01/00/17)"),
        R(null, 0x82, 0x82, SenseAction.MarkDriveNeedsCleaning, SenseFailure.DeviceError, "the drive requires cleaning (IBM vendor code, emulated by mhVTL)", "SPC-4 §4.5.6 (80h-FFh, mhVTL 82/82)"),

        // ---- the cleaning cartridge is used up
        R(null, 0x30, 0x07, SenseAction.MarkCleanerSpent, SenseFailure.CleaningFailed, "cleaning failed: the cleaning cartridge is used up or defective; eject it and inject a new one", "SPC-4 §4.5.6"),
        R(null, 0x30, 0x0B, SenseAction.MarkCleanerSpent, SenseFailure.CleaningFailed, "the cleaning tape has expired; eject it and inject a new one", "SPC-4 §4.5.6"),
        R(null, 0x30, 0x13, SenseAction.MarkCleanerSpent, SenseFailure.CleaningFailed, "the cleaning cartridge has expired; eject it and inject a new one", "SPC-4 §4.5.6; docs/reference/library-behaviour.md §S8 (SL150 03/30/13)"),
        R(null, 0x5A, 0x01, SenseAction.MarkCleanerSpent, SenseFailure.CleaningFailed, "the cleaning cartridge is used up (element status of a spent cleaner); eject it and inject a new one", "docs/reference/library-behaviour.md §S8 (Quantum P 5A/01); docs/reference/library-behaviour.md §14"),

        // ---- not an error
        R(null, 0x30, 0x03, SenseAction.Proceed, SenseFailure.DeviceError, "a cleaning cartridge is present (not an error)", "docs/reference/library-behaviour.md §14 (element ASC 30/03: TS4500, TL2000, Quantum P)"),
        R(null, 0x30, 0x83, SenseAction.Proceed, SenseFailure.DeviceError, "a cleaning cartridge without a label is present (not an error)", "docs/reference/library-behaviour.md §S8 (TL2000 30/83)"),
    ];

    /// <summary>
    /// Rows that apply to senses of a tape drive (SSC) and come before the built-in rows for a drive client: what a
    /// drive says while a cleaning cartridge is in it. A drive cleans, then reports that it wants a new load or holds no
    /// cartridge (mhVTL's TEST UNIT READY walks 30/03, 04/00, 04/02: markh794/mhvtl@fada6b85 usr/ssc.c and
    /// usr/pm/default_ssc_pm.c).
    /// </summary>
    public static IReadOnlyList<SenseRule> DriveRules { get; } =
    [
        R(null, 0x30, 0x03, SenseAction.CleaningInProgress, SenseFailure.NotReady, "a cleaning cartridge is in the drive and cleaning is in progress", "SPC-4 §4.5.6; markh794/mhvtl@fada6b85 usr/ssc.c (TEST UNIT READY while cleaning)"),
        R(NR, 0x04, 0x02, SenseAction.CleaningDone, SenseFailure.NotReady, "the drive needs a new load (initializing command required); a cleaning cartridge in it has finished", "SPC-4 §4.5.6; markh794/mhvtl@fada6b85 usr/ssc.c (CLEAN_MOUNT_STAGE3)"),
        R(NR, 0x3A, null, SenseAction.CleaningDone, SenseFailure.NotReady, "there is no cartridge in the drive", "SPC-4 §4.5.6 (MEDIUM NOT PRESENT)"),
    ];

    /// <summary>
    /// One row per sense key (ASC and ASCQ ignored), plus the row for an element's Except ASC/ASCQ (key null), so that
    /// every sense gets a rule. Unknown unit attentions are re-sent, as the client always did (Linux ch retries UAs).
    /// </summary>
    public static IReadOnlyList<SenseRule> KeyDefaults { get; } =
    [
        R(SenseKey.NoSense, 0, null, SenseAction.Fail, SenseFailure.DeviceError, "the device reported a condition without an error key", "SPC-4 §4.5"),
        R(SenseKey.RecoveredError, 0, null, SenseAction.Fail, SenseFailure.DeviceError, "the device recovered from an error", "SPC-4 §4.5"),
        R(SenseKey.NotReady, 0, null, SenseAction.Fail, SenseFailure.NotReady, "the library is not ready", "SPC-4 §4.5"),
        R(SenseKey.MediumError, 0, null, SenseAction.Fail, SenseFailure.DeviceError, "the device reported a medium error", "SPC-4 §4.5"),
        R(SenseKey.HardwareError, 0, null, SenseAction.Fail, SenseFailure.DeviceError, "the library reported a hardware error; check its panel", "SPC-4 §4.5"),
        R(SenseKey.IllegalRequest, 0, null, SenseAction.Fail, SenseFailure.DeviceError, "the library rejected the command", "SPC-4 §4.5"),
        R(SenseKey.UnitAttention, 0, null, SenseAction.RetrySoon, SenseFailure.DeviceError, "the library reported a change (unit attention)", "SPC-4 §4.5; docs/reference/library-behaviour.md §1 (Linux ch retries unit attentions)"),
        R(SenseKey.DataProtect, 0, null, SenseAction.Fail, SenseFailure.DeviceError, "the device refused the operation (data protect)", "SPC-4 §4.5"),
        R(SenseKey.BlankCheck, 0, null, SenseAction.Fail, SenseFailure.DeviceError, "the device reported a blank check", "SPC-4 §4.5"),
        R(SenseKey.VendorSpecific, 0, null, SenseAction.Fail, SenseFailure.DeviceError, "the library reported a vendor-specific error", "SPC-4 §4.5"),
        R(SenseKey.CopyAborted, 0, null, SenseAction.Fail, SenseFailure.DeviceError, "the device aborted a copy", "SPC-4 §4.5"),
        R(SenseKey.AbortedCommand, 0, null, SenseAction.Fail, SenseFailure.DeviceError, "the library aborted the command", "SPC-4 §4.5"),
        R(SenseKey.Obsolete, 0, null, SenseAction.Fail, SenseFailure.DeviceError, "the library reported an error", "SPC-4 §4.5"),
        R(SenseKey.VolumeOverflow, 0, null, SenseAction.Fail, SenseFailure.DeviceError, "the device reported a volume overflow", "SPC-4 §4.5"),
        R(SenseKey.Miscompare, 0, null, SenseAction.Fail, SenseFailure.DeviceError, "the device reported a miscompare", "SPC-4 §4.5"),
        R(SenseKey.Reserved, 0, null, SenseAction.Fail, SenseFailure.DeviceError, "the library reported an error", "SPC-4 §4.5"),
        R(null, 0, null, SenseAction.Fail, SenseFailure.DeviceError, "the element is in an abnormal state", "docs/reference/library-behaviour.md §14"),
    ];

    private static readonly SenseRule[] Ordered = BySpecificity(Rules);

    /// <summary>
    /// The rule for a sense (or, with <paramref name="key"/> null, an element's Except ASC/ASCQ). Order: matching
    /// <paramref name="overrides"/> (profile rows), then <paramref name="deviceRules"/> (<see cref="DriveRules"/> for a
    /// tape drive), then built-in rows, most specific first (command-restricted, then an
    /// exact ASCQ, then an exact key), then the key's default row.
    /// </summary>
    public static SenseRule Lookup(SenseKey? key, byte asc, byte ascq, string? command, IReadOnlyList<SenseRule>? overrides = null,
        IReadOnlyList<SenseRule>? deviceRules = null)
    {
        foreach (var rows in new[] { overrides, deviceRules })
        {
            if (rows is not { Count: > 0 }) continue;
            foreach (var r in BySpecificity(rows))
            {
                if (r.Matches(key, asc, ascq, command)) return r;
            }
        }
        foreach (var r in Ordered)
        {
            if (r.Matches(key, asc, ascq, command)) return r;
        }
        return DefaultFor(key);
    }

    /// <summary>The default row of a sense key (null: an element's Except ASC/ASCQ).</summary>
    public static SenseRule DefaultFor(SenseKey? key) => KeyDefaults.First(r => r.Key == key);

    /// <summary>
    /// Unit attentions after which cached element addresses (page 1Dh) may be stale: 28/xx, 29/xx, 2A/01, 3F/xx, and the
    /// element configuration changes 3B/1A, 3B/1B, 3B/20 (SPC-4 §4.5.6; docs/reference/library-behaviour.md §17).
    /// </summary>
    public static bool InvalidatesElementMap(byte asc, byte ascq) =>
        asc is 0x28 or 0x29 or 0x3F || (asc, ascq) is (0x2A, 0x01) or (0x3B, 0x1A) or (0x3B, 0x1B) or (0x3B, 0x20);

    /// <summary>"05/24/00", "—/3B/12" for an element ASC, "06/29/xx" for a wildcard row, "06/xx/xx" for a key default.</summary>
    public static string Pattern(SenseRule rule, bool keyDefault = false) =>
        $"{(rule.Key is SenseKey k ? ((byte)k).ToString("X2") : "--")}/{(keyDefault ? "xx" : rule.Asc.ToString("X2"))}/{(rule.Ascq is byte q ? q.ToString("X2") : "xx")}";

    /// <summary>
    /// Most specific first (command-restricted 4, exact ASCQ 2, exact key 1, summed), rows of equal weight in their
    /// given order. A stable insertion sort: LINQ's OrderByDescending(...).ThenBy(...) did the same, but ThenBy is a
    /// generic virtual method that a NativeAOT image instantiates at run time, on every sense looked up.
    /// </summary>
    private static SenseRule[] BySpecificity(IEnumerable<SenseRule> rules)
    {
        var sorted = rules.ToArray();
        for (int i = 1; i < sorted.Length; i++)
        {
            var r = sorted[i];
            int weight = Specificity(r), j = i - 1;
            while (j >= 0 && Specificity(sorted[j]) < weight)
            {
                sorted[j + 1] = sorted[j];
                j--;
            }
            sorted[j + 1] = r;
        }
        return sorted;
    }

    private static int Specificity(SenseRule r) => (r.Commands is null ? 0 : 4) + (r.Ascq is null ? 0 : 2) + (r.Key is null ? 0 : 1);
}

/// <summary>A drive TapeAlert flag the cleaner acts on (SSC flags; SSC-4 TapeAlert, docs/reference/library-behaviour.md §S9).</summary>
public sealed record TapeAlertRule(int Flag, SenseAction Action, string Meaning, string Source);

/// <summary>Drive TapeAlert flags that mark a drive as needing cleaning or the cleaner as spent.</summary>
public static class TapeAlertPolicy
{
    public static IReadOnlyList<TapeAlertRule> Rules { get; } =
    [
        new(0x14, SenseAction.MarkDriveNeedsCleaning, "cleaning required", "SSC-4 TapeAlert; docs/reference/library-behaviour.md §S9"),
        new(0x15, SenseAction.MarkDriveNeedsCleaning, "cleaning requested", "SSC-4 TapeAlert; docs/reference/library-behaviour.md §S9"),
        new(0x16, SenseAction.MarkCleanerSpent, "expired cleaning media", "SSC-4 TapeAlert; docs/reference/library-behaviour.md §S9"),
        new(0x17, SenseAction.MarkCleanerSpent, "invalid cleaning tape", "SSC-4 TapeAlert; docs/reference/library-behaviour.md §S9"),
    ];

    /// <summary>The rule for a set flag, or null when the cleaner does not act on it.</summary>
    public static TapeAlertRule? Lookup(int flag) => Rules.FirstOrDefault(r => r.Flag == flag);

    /// <summary>The first rule among <paramref name="setFlags"/> with the given action, in table order.</summary>
    public static TapeAlertRule? First(IEnumerable<int> setFlags, SenseAction action)
    {
        var set = setFlags.ToHashSet();
        return Rules.FirstOrDefault(r => r.Action == action && set.Contains(r.Flag));
    }
}
