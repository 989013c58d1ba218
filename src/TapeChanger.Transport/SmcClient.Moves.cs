using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Transport;

// The robot's commands: MOVE MEDIUM, EXCHANGE MEDIUM, POSITION TO ELEMENT, INITIALIZE ELEMENT STATUS (with range and
// the legacy E7h fallback), magazine eject, PREVENT ALLOW MEDIUM REMOVAL. Each gets the quirks' timeout (Timed).
public sealed partial class SmcClient
{
    public async ValueTask MoveMediumAsync(ushort transport, ushort source, ushort destination, CancellationToken ct = default) =>
        await ExecuteAsync(Timed(SmcCommands.MoveMedium(transport, source, destination)), ct).ConfigureAwait(false);

    /// <summary>MOVE MEDIUM with INVERT and the CONTROL byte's vendor bits (mtx's invert and eepos).</summary>
    public async ValueTask MoveMediumAsync(ushort transport, ushort source, ushort destination, bool invert, byte controlHighBits, CancellationToken ct = default) =>
        await ExecuteAsync(Timed(SmcCommands.MoveMedium(transport, source, destination, invert, controlHighBits)), ct).ConfigureAwait(false);

    /// <summary>Ejects the changer's own magazine or tray (1Bh with LOEJ=1, sent to the changer; mtx's "eject").</summary>
    public async ValueTask EjectMagazineAsync(CancellationToken ct = default) =>
        await ExecuteAsync(SmcCommands.EjectMagazine(), ct).ConfigureAwait(false);

    public async ValueTask ExchangeMediumAsync(ushort transport, ushort source, ushort first, ushort second, CancellationToken ct = default) =>
        await ExecuteAsync(Timed(SmcCommands.ExchangeMedium(transport, source, first, second)), ct).ConfigureAwait(false);

    public async ValueTask PositionToElementAsync(ushort transport, ushort destination, CancellationToken ct = default) =>
        await ExecuteAsync(Timed(SmcCommands.PositionToElement(transport, destination)), ct).ConfigureAwait(false);

    public async ValueTask InitializeElementStatusAsync(CancellationToken ct = default) =>
        await ExecuteAsync(Timed(SmcCommands.InitializeElementStatus()), ct).ConfigureAwait(false);

    /// <summary>INITIALIZE ELEMENT STATUS WITH RANGE: 37h, falling back to mhVTL's legacy E7h on 05/20/00.</summary>
    public async ValueTask InitializeElementStatusWithRangeAsync(ushort start, ushort count, CancellationToken ct = default)
    {
        try
        {
            await ExecuteAsync(Timed(SmcCommands.InitializeElementStatusWithRange(start, count)), ct).ConfigureAwait(false);
        }
        catch (ScsiCheckConditionException e) when (e.Key == SenseKey.IllegalRequest && e.Asc == 0x20)
        {
            await ExecuteAsync(Timed(SmcCommands.InitializeElementStatusWithRange(start, count, legacyOpcode: true)), ct).ConfigureAwait(false);
        }
    }

    public async ValueTask PreventAllowMediumRemovalAsync(bool prevent, CancellationToken ct = default) =>
        await ExecuteAsync(SmcCommands.PreventAllowMediumRemoval(prevent), ct).ConfigureAwait(false);
}
