using TapeChanger.Scsi.Sense;
using A = TapeChanger.Scsi.Sense.SenseAction;
using F = TapeChanger.Scsi.Sense.SenseFailure;

namespace TapeChanger.Scsi.Tests;

/// <summary>
/// The sense policy table against an expected table written out by hand from SPC-4 §4.5.6, docs/reference/library-behaviour.md §S1-§S10 and the
/// issue ("retry soon: 28/00 ...", "fail: 3B/0D ..."). Triplets are KEY/ASC/ASCQ; "--" is an element's Except ASC/ASCQ
/// (no key). Every built-in row must be the answer for at least one line here.
/// </summary>
public class SensePolicyTests
{
    private const string Move = "MOVE MEDIUM", Res = "READ ELEMENT STATUS";

    /// <summary>triplet, command, expected action, expected failure.</summary>
    public static readonly TheoryData<string, string?, A, F> Expected = new()
    {
        // retry soon (unit attentions)
        { "06/28/00", null, A.RetrySoon, F.DeviceError },
        { "06/28/01", null, A.RetrySoon, F.DeviceError },
        { "06/28/03", null, A.RetrySoon, F.DeviceError },
        { "06/29/00", null, A.RetrySoon, F.DeviceError },
        { "06/29/07", null, A.RetrySoon, F.DeviceError },
        { "06/2A/01", null, A.RetrySoon, F.DeviceError },
        { "06/2A/03", null, A.RetrySoon, F.DeviceError },
        { "06/2F/00", null, A.RetrySoon, F.DeviceError },
        { "06/3F/00", null, A.RetrySoon, F.DeviceError },
        { "06/3F/0E", null, A.RetrySoon, F.DeviceError },
        { "06/3B/12", null, A.RetrySoon, F.DeviceError },
        { "06/3B/13", null, A.RetrySoon, F.DeviceError },
        { "06/3B/1A", null, A.RetrySoon, F.DeviceError },
        { "06/3B/1B", null, A.RetrySoon, F.DeviceError },
        { "06/3B/20", null, A.RetrySoon, F.DeviceError },
        { "06/5A/01", null, A.RetrySoon, F.DeviceError },
        // wait and retry with backoff
        { "02/04/00", null, A.WaitAndRetry, F.NotReady },
        { "02/04/01", Move, A.WaitAndRetry, F.NotReady },
        { "02/04/07", null, A.WaitAndRetry, F.NotReady },
        { "02/3E/00", null, A.WaitAndRetry, F.NotReady },
        { "02/30/03", "TEST UNIT READY", A.CleaningInProgress, F.NotReady },
        // wait for the operator
        { "02/04/18", Move, A.WaitForOperator, F.OperatorIntervention },
        { "02/04/83", null, A.WaitForOperator, F.OperatorIntervention },
        { "02/04/85", null, A.WaitForOperator, F.OperatorIntervention },
        { "02/04/8E", null, A.WaitForOperator, F.OperatorIntervention },
        { "02/04/03", Move, A.WaitForOperator, F.OperatorIntervention },
        { "02/3A/02", Move, A.WaitForOperator, F.OperatorIntervention },
        { "02/3B/12", null, A.WaitForOperator, F.OperatorIntervention },
        { "02/5A/01", null, A.WaitForOperator, F.OperatorIntervention },
        // fail
        { "05/3B/0D", Move, A.Fail, F.DestinationFull },
        { "--/3B/0D", null, A.Fail, F.DestinationFull },
        { "05/3B/0E", Move, A.Fail, F.SourceEmpty },
        { "05/21/01", Move, A.Fail, F.InvalidElement },
        { "05/24/00", Move, A.Fail, F.InvalidElement },
        { "05/24/00", "POSITION TO ELEMENT", A.Fail, F.InvalidElement },
        { "05/24/00", Res, A.Fail, F.DeviceError },
        { "05/24/00", null, A.Fail, F.DeviceError },
        { "05/53/02", Move, A.Fail, F.RemovalPrevented },
        { "05/53/03", Move, A.UnloadDriveAndRetry, F.RemovalPrevented },
        { "05/20/00", null, A.Fail, F.NotSupported },
        { "05/25/00", null, A.Fail, F.DeviceError },
        { "04/15/01", Move, A.Fail, F.DriveRejectedMedium },
        { "04/04/03", Move, A.Fail, F.DriveRejectedMedium },
        { "03/30/00", Move, A.Fail, F.DriveRejectedMedium },
        { "04/53/09", Move, A.Fail, F.DriveRejectedMedium },
        { "04/53/00", Move, A.Fail, F.DeviceError },
        { "04/53/0A", Move, A.Fail, F.DeviceError },
        { "04/53/0B", Move, A.Fail, F.DeviceError },
        { "04/53/0C", Move, A.Fail, F.DeviceError },
        { "04/53/0D", Move, A.Fail, F.DeviceError },
        { "04/3B/16", Move, A.Fail, F.DeviceError },
        { "04/44/00", null, A.Fail, F.DeviceError },
        { "02/04/02", null, A.Fail, F.NotReady },
        { "02/04/12", null, A.Fail, F.NotReady },
        { "02/04/15", null, A.Fail, F.NotReady },
        { "02/04/16", null, A.Fail, F.NotReady },
        { "02/04/17", null, A.Fail, F.NotReady },
        { "02/3A/00", null, A.Fail, F.NotReady },
        { "--/3B/11", null, A.Fail, F.OperatorIntervention },
        { "--/3B/12", null, A.Fail, F.OperatorIntervention },
        { "--/3B/18", null, A.Fail, F.DeviceError },
        { "--/3B/1A", null, A.Fail, F.InvalidElement },
        { "05/30/0A", null, A.Fail, F.CleaningFailed },
        // drive needs cleaning
        { "00/00/17", "TEST UNIT READY", A.MarkDriveNeedsCleaning, F.DeviceError },
        { "01/00/17", null, A.MarkDriveNeedsCleaning, F.DeviceError },
        { "00/82/82", null, A.MarkDriveNeedsCleaning, F.DeviceError },
        // cleaner spent
        { "04/30/07", null, A.MarkCleanerSpent, F.CleaningFailed },
        { "03/30/0B", null, A.MarkCleanerSpent, F.CleaningFailed },
        { "03/30/13", Move, A.MarkCleanerSpent, F.CleaningFailed },
        { "--/5A/01", null, A.MarkCleanerSpent, F.CleaningFailed },
        // not an error
        { "--/30/03", null, A.Proceed, F.DeviceError },
        { "00/30/03", null, A.Proceed, F.DeviceError },
        { "--/30/83", null, A.Proceed, F.DeviceError },
        // key defaults: codes with no row of their own
        { "00/5D/00", null, A.Fail, F.DeviceError },
        { "01/0A/00", null, A.Fail, F.DeviceError },
        { "02/99/00", null, A.Fail, F.NotReady },
        { "03/11/00", null, A.Fail, F.DeviceError },
        { "04/08/00", null, A.Fail, F.DeviceError },
        { "05/1A/00", null, A.Fail, F.DeviceError },
        { "06/99/01", null, A.RetrySoon, F.DeviceError },
        { "07/27/00", null, A.Fail, F.DeviceError },
        { "08/00/05", null, A.Fail, F.DeviceError },
        { "09/80/00", null, A.Fail, F.DeviceError },
        { "0A/00/00", null, A.Fail, F.DeviceError },
        { "0B/47/00", null, A.Fail, F.DeviceError },
        { "0C/00/00", null, A.Fail, F.DeviceError },
        { "0D/00/02", null, A.Fail, F.DeviceError },
        { "0E/1D/00", null, A.Fail, F.DeviceError },
        { "0F/00/00", null, A.Fail, F.DeviceError },
        { "--/83/02", null, A.Fail, F.DeviceError },
    };

    internal static (SenseKey? Key, byte Asc, byte Ascq) Parse(string triplet)
    {
        var p = triplet.Split('/');
        SenseKey? key = p[0] == "--" ? null : (SenseKey)Convert.ToByte(p[0], 16);
        return (key, Convert.ToByte(p[1], 16), Convert.ToByte(p[2], 16));
    }

    private static SenseRule Look(string triplet, string? command, IReadOnlyList<SenseRule>? overrides = null)
    {
        var (k, asc, ascq) = Parse(triplet);
        return SensePolicy.Lookup(k, asc, ascq, command, overrides);
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public void Each_code_gets_the_expected_action_and_failure(string triplet, string? command, A action, F failure)
    {
        var rule = Look(triplet, command);
        Assert.Equal((action, failure), (rule.Action, rule.Failure));
    }

    [Fact]
    public void Every_built_in_row_and_key_default_is_the_answer_for_some_expected_line()
    {
        var answered = Expected.Select(row => Look((string)row[0], (string?)row[1])).ToList();
        var missing = SensePolicy.Rules.Concat(SensePolicy.KeyDefaults)
            .Where(rule => !answered.Any(a => ReferenceEquals(a, rule)))
            .Select(rule => $"{SensePolicy.Pattern(rule)} {rule.Meaning}")
            .ToList();
        Assert.True(missing.Count == 0, "rows without an expected line (dead or untested): " + string.Join("; ", missing));
    }

    /// <summary>A tape drive's senses: the drive rows come before the built-in ones, and only for a drive.</summary>
    [Theory]
    [InlineData(0x02, 0x30, 0x03, A.CleaningInProgress, A.CleaningInProgress)]
    [InlineData(0x00, 0x30, 0x03, A.CleaningInProgress, A.Proceed)]           // any key on a drive; the element row for a library
    [InlineData(0x02, 0x04, 0x02, A.CleaningDone, A.Fail)]                    // "load me" on a drive, "inventory me" on a library
    [InlineData(0x02, 0x3A, 0x00, A.CleaningDone, A.Fail)]
    [InlineData(0x02, 0x3A, 0x02, A.CleaningDone, A.WaitForOperator)]          // a library's open mail slot
    [InlineData(0x02, 0x04, 0x01, A.WaitAndRetry, A.WaitAndRetry)]            // becoming ready: the same for both
    [InlineData(0x03, 0x30, 0x07, A.MarkCleanerSpent, A.MarkCleanerSpent)]
    public void Drive_rows_apply_to_drives_only(byte key, byte asc, byte ascq, A onDrive, A onLibrary)
    {
        Assert.Equal(onDrive, SensePolicy.Lookup((SenseKey)key, asc, ascq, "TEST UNIT READY", null, SensePolicy.DriveRules).Action);
        Assert.Equal(onLibrary, SensePolicy.Lookup((SenseKey)key, asc, ascq, "TEST UNIT READY").Action);
        // Profile rows still come first.
        var profile = new SenseRule(SenseKey.NotReady, 0x04, 0x02, A.WaitAndRetry, F.NotReady, "vendor: still cleaning", "test");
        Assert.Equal(A.WaitAndRetry, SensePolicy.Lookup(SenseKey.NotReady, 0x04, 0x02, "TEST UNIT READY", [profile], SensePolicy.DriveRules).Action);
    }

    [Fact]
    public void Every_row_speaks_operator_language_and_names_its_source()
    {
        Assert.All(SensePolicy.Rules.Concat(SensePolicy.DriveRules).Concat(SensePolicy.KeyDefaults), r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.Meaning));
            Assert.Matches(@"^(SPC-4|SSC-4|docs/reference/[a-z-]+\.md) §", r.Source);
        });
        // Operator waits tell the operator what to do: "what happened; what to do".
        Assert.All(SensePolicy.Rules.Where(r => r.Action == A.WaitForOperator), r => Assert.Contains("; ", r.Meaning));
    }

    [Fact]
    public void No_two_rows_share_a_pattern()
    {
        var dupes = SensePolicy.Rules.GroupBy(r => (r.Key, r.Asc, r.Ascq, string.Join(",", r.Commands ?? [])))
            .Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(dupes);
        Assert.Equal(17, SensePolicy.KeyDefaults.Select(r => r.Key).Distinct().Count());   // 16 keys + element (null)
    }

    // ---------------------------------------------------------------- precedence

    [Fact]
    public void A_profile_override_wins_over_every_built_in_row()
    {
        var door = new SenseRule(SenseKey.NotReady, 0x04, 0x18, A.Fail, F.NotReady, "door open (profile)", "test");
        Assert.Same(door, Look("02/04/18", Move, [door]));
        // Even a wildcard override beats a specific built-in row: overrides come first.
        var any04 = new SenseRule(SenseKey.NotReady, 0x04, null, A.WaitAndRetry, F.NotReady, "vendor not ready", "test");
        Assert.Same(any04, Look("02/04/12", null, [any04]));
        // An override that does not match leaves the built-in answer.
        Assert.Equal(A.WaitForOperator, Look("02/04/18", Move, [any04 with { Asc = 0x3A }]).Action);
    }

    [Fact]
    public void A_specific_ascq_row_wins_over_a_wildcard_row_whatever_the_order()
    {
        var wildcard = new SenseRule(SenseKey.UnitAttention, 0x29, null, A.Fail, F.DeviceError, "any reset", "test");
        var specific = new SenseRule(SenseKey.UnitAttention, 0x29, 0x07, A.WaitForOperator, F.OperatorIntervention, "nexus loss", "test");
        Assert.Same(specific, Look("06/29/07", null, [wildcard, specific]));
        Assert.Same(wildcard, Look("06/29/01", null, [wildcard, specific]));
        // Built in: a keyed row beats the key-less row for the same ASC/ASCQ.
        Assert.Equal(A.WaitForOperator, Look("02/3B/12", null).Action);
        Assert.Equal(A.RetrySoon, Look("06/5A/01", null).Action);
        Assert.Equal(A.MarkCleanerSpent, Look("--/5A/01", null).Action);
        // A command-restricted row beats the same pattern without commands.
        Assert.Equal(F.InvalidElement, Look("05/24/00", "EXCHANGE MEDIUM").Failure);
        Assert.Equal(F.DeviceError, Look("05/24/00", "MODE SENSE(6)").Failure);
    }

    [Fact]
    public void Profile_rows_are_ranked_command_then_ascq_then_key_and_rows_of_equal_rank_keep_their_order()
    {
        // The profile's rows are ranked at each look-up (the built-in table once, at start-up).
        var exact = new SenseRule(SenseKey.IllegalRequest, 0x24, 0x00, A.Fail, F.DeviceError, "exact, any command", "test");
        var forMove = new SenseRule(SenseKey.IllegalRequest, 0x24, null, A.Fail, F.InvalidElement, "any ASCQ, MOVE MEDIUM only", "test", [Move]);
        Assert.Same(forMove, Look("05/24/00", Move, [exact, forMove]));          // command-restricted (4+1) over exact ASCQ and key (2+1)
        Assert.Same(exact, Look("05/24/00", Res, [exact, forMove]));
        var anyKey = exact with { Key = null, Meaning = "exact ASCQ, any key" };
        Assert.Same(exact, Look("05/24/00", null, [anyKey, exact]));             // an exact key (2+1) over any key (2)
        Assert.Same(anyKey, Look("06/24/00", null, [anyKey, exact]));
        var second = exact with { Meaning = "the same pattern, given second" };
        Assert.Same(exact, Look("05/24/00", null, [exact, second]));             // equal rank: the order given
        Assert.Same(second, Look("05/24/00", null, [second, exact]));
        Assert.Same(exact, Look("05/24/00", null, [anyKey, exact, second]));
    }

    [Fact]
    public void A_wildcard_row_wins_over_the_key_default_and_the_key_default_catches_the_rest()
    {
        var reset = Look("06/29/05", null);
        Assert.NotSame(SensePolicy.DefaultFor(SenseKey.UnitAttention), reset);
        Assert.Equal(0x29, reset.Asc);
        Assert.Same(SensePolicy.DefaultFor(SenseKey.UnitAttention), Look("06/99/01", null));
        Assert.Same(SensePolicy.DefaultFor(SenseKey.HardwareError), Look("04/08/00", null));
        // Element ASCs (no key) never match keyed rows: 04/18 on an element is just abnormal.
        Assert.Same(SensePolicy.DefaultFor(null), Look("--/04/18", null));
    }

    [Theory]
    [InlineData(0x28, 0x00, true)]
    [InlineData(0x28, 0x01, true)]
    [InlineData(0x29, 0x02, true)]
    [InlineData(0x2A, 0x01, true)]
    [InlineData(0x3F, 0x03, true)]
    [InlineData(0x3B, 0x20, true)]
    [InlineData(0x2A, 0x03, false)]
    [InlineData(0x2F, 0x00, false)]
    [InlineData(0x3B, 0x12, false)]
    public void Map_invalidating_unit_attentions(byte asc, byte ascq, bool invalidates) =>
        Assert.Equal(invalidates, SensePolicy.InvalidatesElementMap(asc, ascq));

    // ---------------------------------------------------------------- TapeAlert

    [Theory]
    [InlineData(20, A.MarkDriveNeedsCleaning)]
    [InlineData(21, A.MarkDriveNeedsCleaning)]
    [InlineData(22, A.MarkCleanerSpent)]
    [InlineData(23, A.MarkCleanerSpent)]
    public void TapeAlert_cleaning_flags(int flag, A action) => Assert.Equal(action, TapeAlertPolicy.Lookup(flag)?.Action);

    [Fact]
    public void TapeAlert_table_has_only_the_cleaning_flags_and_picks_in_table_order()
    {
        Assert.Equal([20, 21, 22, 23], TapeAlertPolicy.Rules.Select(r => r.Flag));
        Assert.Null(TapeAlertPolicy.Lookup(11));       // 0B "cleaning media" is set while a cleaner is loaded: not a mark
        Assert.Equal(21, TapeAlertPolicy.First([3, 21, 23], A.MarkDriveNeedsCleaning)!.Flag);
        Assert.Equal(23, TapeAlertPolicy.First([3, 21, 23], A.MarkCleanerSpent)!.Flag);
        Assert.Null(TapeAlertPolicy.First([1, 2, 3], A.MarkCleanerSpent));
    }
}
