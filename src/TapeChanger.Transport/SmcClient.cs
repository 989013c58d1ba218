using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Transport;

/// <summary>A sense the policy marks rather than only fails on: drive needs cleaning, or cleaner spent.</summary>
public sealed record SenseMark(SenseRule Rule, SenseData Sense, string Command);

/// <summary>
/// Typed SMC/SPC commands over a transport: builds the CDB, executes, checks, and decodes into records,
/// so the domain above never handles bytes. Retries unit attentions and "becoming ready".
/// </summary>
public sealed partial class SmcClient : IAsyncDisposable
{
    private readonly ScsiChannel _channel;
    private readonly RetryPolicy _retry;
    private readonly TimeProvider _time;
    private readonly List<string> _learned = [];
    private ChangerQuirks _quirks;

    public SmcClient(IScsiTransport transport, RetryPolicy? retry = null, TimeProvider? time = null, ChangerQuirks? quirks = null)
    {
        _channel = new ScsiChannel(transport);
        _retry = retry ?? RetryPolicy.Default;
        _time = time ?? TimeProvider.System;
        _quirks = quirks ?? ChangerQuirks.Generic;
    }

    /// <summary>The knobs in force: the profile's, changed by what this session learned.</summary>
    public ChangerQuirks Quirks => _quirks;

    /// <summary>
    /// What this session learned that its quirks did not say (a combined READ ELEMENT STATUS or DVCID rejected),
    /// one operator-language line each; the caller persists <see cref="Quirks"/> for the library when non-empty.
    /// </summary>
    public IReadOnlyList<string> Learned => _learned;

    private void Learn(ChangerQuirks changed, string why)
    {
        _quirks = changed;
        _learned.Add(why);
    }

    public string Device => _channel.Device;

    /// <summary>Commands sent so far, retries included (for round-trip budgets).</summary>
    public int CommandCount => _channel.CommandCount;

    /// <summary>Unit attentions absorbed by retries; the caller should treat cached state as stale when this grows.</summary>
    public int UnitAttentionsSeen { get; private set; }

    /// <summary>
    /// Unit attentions absorbed after which the element address map may be stale (28/xx, 29/xx, 2A/01, 3F/xx, 3B/1A,
    /// 3B/1B, 3B/20: <see cref="SensePolicy.InvalidatesElementMap"/>). MediaChanger re-reads page 1Dh when it grows.
    /// </summary>
    public int MapChangesSeen { get; private set; }

    /// <summary>
    /// Unit attentions absorbed that change the device's definition: 2Ah (parameters changed: mode parameters, and with
    /// them page 1Dh) and 3Fh (operating definition, INQUIRY data, LUN inventory). Unlike a reset (29h), which every new
    /// iSCSI session reports, these mean what a previous session learned about the library may be wrong.
    /// </summary>
    public int DefinitionChangesSeen { get; private set; }

    private readonly List<SenseMark> _marks = [];

    /// <summary>Senses seen on this client that mark the drive as needing cleaning or the cleaner as spent, oldest first.</summary>
    public IReadOnlyList<SenseMark> Marks => _marks;

    /// <summary>
    /// The policy rule for a sense on this device: the profile's rows first, then (for a tape drive client) the drive
    /// rows, then the built-in rows. Every <see cref="ScsiCheckConditionException"/> leaving this client carries it
    /// (<see cref="ScsiCheckConditionException.Rule"/>), so nothing above looks the sense up again.
    /// </summary>
    public SenseRule RuleFor(SenseData sense, string? command) =>
        SensePolicy.Lookup(sense.Key, sense.Asc, sense.Ascq, command, Quirks.SenseRules, IsDrive ? SensePolicy.DriveRules : null);

    /// <summary>True for a client of a tape drive (SSC): the drive rows of the sense policy apply.</summary>
    public bool IsDrive { get; init; }

    /// <summary>
    /// Called before every send of a MOVE MEDIUM, EXCHANGE MEDIUM or POSITION TO ELEMENT (each retry included), the
    /// commands that move the robot; an exception it throws leaves the command unsent and leaves this client. Fleet
    /// mode sets it to the lease's time check (a service starts a move only with the move's time budget left on its lease).
    /// </summary>
    public Func<CancellationToken, ValueTask>? BeforeMotion { get; set; }

    /// <summary>Sets the library's quirks once its profile is known (the profile is chosen from this client's INQUIRY).</summary>
    public void ApplyQuirks(ChangerQuirks quirks) => _quirks = quirks;

    /// <summary>
    /// The command with the quirks' timeout: moves and inventories take their own; a READ ELEMENT STATUS without
    /// CURDATA may make the robot scan, so it gets the move timeout too.
    /// </summary>
    private ScsiCommand Timed(ScsiCommand command) => command.Cdb[0] switch
    {
        OpCode.MoveMedium or OpCode.ExchangeMedium or OpCode.PositionToElement => command.WithTimeout(_quirks.MoveTimeout),
        OpCode.InitializeElementStatus or OpCode.InitializeElementStatusWithRange or OpCode.InitializeElementStatusWithRangeLegacy => command.WithTimeout(_quirks.InitializeTimeout),
        OpCode.ReadElementStatus when (command.Cdb[6] & 0x02) == 0 => command.WithTimeout(_quirks.MoveTimeout),
        _ => command.WithTimeout(_quirks.DefaultTimeout),
    };

    public ValueTask DisposeAsync() => _channel.DisposeAsync();
}
