using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;

namespace TapeChanger.Domain;

/// <summary>One TEST UNIT READY: GOOD, or the drive's sense with the policy row that says what it means.</summary>
public sealed record DriveReadiness(SenseData? Sense, SenseRule? Rule)
{
    public bool Ready => Sense is null;

    /// <summary>What the policy does with it (<see cref="SenseAction.Proceed"/> when the drive is ready).</summary>
    public SenseAction Action => Rule?.Action ?? SenseAction.Proceed;

    public static DriveReadiness Good { get; } = new(null, null);
}

/// <summary>REQUEST SENSE: the drive's pending condition and its policy row.</summary>
public sealed record DriveCondition(SenseData Sense, SenseRule Rule);

/// <summary>A sense the drive returned that marks it as needing cleaning or the cleaner as spent, with its policy row.</summary>
public sealed record DriveMark(SenseRule Rule, SenseData Sense, string Command);

/// <summary>
/// A tape drive next to the library, reached through a drive locator: the drive commands the library needs, as
/// methods returning records (TEST UNIT READY, REQUEST SENSE, LOG SENSE TapeAlert, LOAD UNLOAD). Sense is resolved by
/// the client once, with the profile's rows and the drive rows of the sense policy.
/// </summary>
public sealed class TapeDrive : IAsyncDisposable
{
    private readonly SmcClient _client;

    public TapeDrive(int number, DriveCandidate candidate, SmcClient client)
    {
        Number = number;
        Candidate = candidate;
        _client = client;
    }

    /// <summary>0-based drive number (mtx numbering).</summary>
    public int Number { get; }

    /// <summary>The device the drive was found as (URI, serial).</summary>
    public DriveCandidate Candidate { get; }

    public string Uri => Candidate.Uri;

    /// <summary>Senses seen on this drive that mark it as needing cleaning or the cleaner as spent, oldest first.</summary>
    public IReadOnlyList<DriveMark> Marks => _client.Marks.Select(m => new DriveMark(m.Rule, m.Sense, m.Command)).ToList();

    /// <summary>Unit attentions absorbed per poll: a new connection's power-on or reset report says nothing about the drive's state.</summary>
    private const int UnitAttentionsPerPoll = 5;

    /// <summary>
    /// TEST UNIT READY for a caller that polls: never waited out, only re-sent after a unit attention (RetrySoon rows;
    /// every new iSCSI session gets 06/29/xx first), so the answer is the drive's condition.
    /// </summary>
    public async ValueTask<DriveReadiness> TestUnitReadyAsync(CancellationToken ct = default)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await _client.TestUnitReadyOnceAsync(ct).ConfigureAwait(false);
                return DriveReadiness.Good;
            }
            catch (ScsiCheckConditionException e)
            {
                var rule = e.Rule ?? _client.RuleFor(e.Sense, e.Command);
                if (rule.Action == SenseAction.RetrySoon && attempt < UnitAttentionsPerPoll) continue;
                return new DriveReadiness(e.Sense, rule);
            }
        }
    }

    /// <summary>REQUEST SENSE; null when the drive refused it or answered with unreadable sense.</summary>
    public async ValueTask<DriveCondition?> RequestSenseAsync(CancellationToken ct = default)
    {
        try
        {
            var sense = await _client.RequestSenseAsync(ct).ConfigureAwait(false);
            return new DriveCondition(sense, _client.RuleFor(sense, "REQUEST SENSE"));
        }
        catch (Exception e) when (e is ScsiCheckConditionException or ScsiDecodeException)
        {
            return null;
        }
    }

    private bool? _hasResponsePage;

    /// <summary>
    /// The drive's TapeAlert flags, read without clearing them where the drive allows: the TapeAlert response page 12h
    /// (SSC-4) when the supported log pages (00h, asked once per drive object) list it, else page 2Eh, which most drives
    /// clear on read (<see cref="TapeAlertReport.ClearedByRead"/>: the caller then holds the only notice and must record
    /// what it needs). Null when the drive has neither page (tgt answers 05/20/00) or its reply cannot be decoded.
    /// </summary>
    public async ValueTask<TapeAlertReport?> TapeAlertsAsync(CancellationToken ct = default)
    {
        _hasResponsePage ??= await HasResponsePageAsync(ct).ConfigureAwait(false);
        if (_hasResponsePage == true)
        {
            try
            {
                return await _client.TapeAlertResponseAsync(TapeAlertSource.Drive, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ScsiCheckConditionException or ScsiDecodeException)
            {
                _hasResponsePage = false;       // listed but refused or malformed: page 2Eh from now on
            }
        }
        try
        {
            return await _client.TapeAlertsAsync(TapeAlertSource.Drive, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ScsiCheckConditionException or ScsiDecodeException)
        {
            return null;
        }
    }

    private async ValueTask<bool> HasResponsePageAsync(CancellationToken ct)
    {
        try
        {
            var pages = await _client.SupportedLogPagesAsync(ct).ConfigureAwait(false);
            return pages.Contains(TapeAlertDecoder.ResponsePageCode);
        }
        catch (Exception e) when (e is ScsiCheckConditionException or ScsiDecodeException)
        {
            return false;
        }
    }

    /// <summary>LOAD UNLOAD with LOAD=0: the drive unloads and ejects its cartridge so the robot can take it.</summary>
    public async ValueTask UnloadAsync(CancellationToken ct = default)
    {
        try
        {
            await _client.LoadUnloadAsync(load: false, ct).ConfigureAwait(false);
        }
        catch (ScsiCheckConditionException e)
        {
            throw SenseClassifier.Classify(e, $"unload drive {Number} ({Uri})");
        }
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
