using TapeChanger.Scsi;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Transport;

/// <summary>
/// The one place that turns a failed <see cref="ScsiResult"/> into a typed exception
/// (the sg3_utils "process response" step).
/// </summary>
public static class ScsiResultChecker
{
    /// <summary>Returns the number of data bytes transferred, or throws.</summary>
    public static int ThrowIfFailed(ScsiCommand command, ScsiResult result)
    {
        int n = Check(command, result, out var failure);
        if (failure is not null) throw Failed(command, failure);
        return n;
    }

    /// <summary>The exception of a command that failed with CHECK CONDITION and <paramref name="sense"/>.</summary>
    public static ScsiCheckConditionException Failed(ScsiCommand command, SenseData sense) => new(command.Name, sense);

    /// <summary>
    /// As <see cref="ThrowIfFailed"/>, except for a CHECK CONDITION that failed the command: its decoded sense comes
    /// back in <paramref name="failure"/> (and 0) instead of <see cref="Failed"/>'s exception, so a caller whose sense
    /// policy re-sends the command (the unit attention of a new session) does so without throwing; anything else it
    /// throws with <see cref="Failed"/>. Every other failure (no or unreadable sense, another status) throws here.
    /// </summary>
    public static int Check(ScsiCommand command, ScsiResult result, out SenseData? failure)
    {
        failure = null;
        switch (result.Status)
        {
            case ScsiStatus.Good:
            case ScsiStatus.ConditionMet:
                return result.DataTransferred;
            case ScsiStatus.CheckCondition:
                if (result.Sense.Length == 0)
                {
                    throw new ScsiTransportException(TransportFailure.Io, $"{command.Name} failed: CHECK CONDITION without sense data", command.Name);
                }
                SenseData sense;
                try
                {
                    sense = SenseDecoder.Decode(result.Sense);
                }
                catch (ScsiDecodeException e)
                {
                    throw new ScsiTransportException(TransportFailure.Io, $"{command.Name} failed with unreadable sense data: {e.Message}", command.Name, e);
                }
                // RECOVERED ERROR and NO SENSE with GOOD data are successes with a note; with CHECK CONDITION
                // the command still completed (SPC-4 §4.5.6), so the data stands.
                // NO SENSE with an informational ASC the policy marks or ignores (00/00/17 "cleaning requested", 00/30/03
                // "cleaning cartridge installed", mhVTL 00/82/82) also completed: the caller reads it from the channel.
                if (sense.Key is SenseKey.RecoveredError || (sense.Key is SenseKey.NoSense && sense.Asc == 0 && sense.Ascq == 0)
                    || (sense.Key is SenseKey.NoSense && SensePolicy.Lookup(sense.Key, sense.Asc, sense.Ascq, command.Name).Action
                        is SenseAction.MarkDriveNeedsCleaning or SenseAction.Proceed))
                {
                    return result.DataTransferred;
                }
                failure = sense;
                return 0;
            default:
                throw new ScsiStatusException(command.Name, result.Status);
        }
    }
}
