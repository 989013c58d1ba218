using TapeChanger.Scsi.Sense;

namespace TapeChanger.Scsi;

/// <summary>Base of every SCSI-layer failure. <see cref="Command"/> names the CDB that failed, when known.</summary>
public abstract class ScsiException : Exception
{
    protected ScsiException(string message, string? command = null, Exception? inner = null)
        : base(message, inner) => Command = command;

    public string? Command { get; }
}

/// <summary>
/// A device reply could not be decoded. Thrown only by decoders, always with the absolute byte offset of the problem.
/// </summary>
public sealed class ScsiDecodeException : ScsiException
{
    public ScsiDecodeException(string context, string field, int offset, int needed, int available)
        : base($"{context}: truncated at offset {offset} reading {field} (needs {needed} byte(s), {available} left)")
    {
        Context = context;
        Field = field;
        Offset = offset;
    }

    public ScsiDecodeException(string context, string field, int offset, string reason)
        : base($"{context}: {reason} at offset {offset} ({field})")
    {
        Context = context;
        Field = field;
        Offset = offset;
    }

    public string Context { get; }
    public string Field { get; }
    public int Offset { get; }
}

/// <summary>CHECK CONDITION with decoded sense data.</summary>
public sealed class ScsiCheckConditionException : ScsiException
{
    public ScsiCheckConditionException(string command, SenseData sense)
        : base($"{command} failed: {sense.Describe()}", command) => Sense = sense;

    public SenseData Sense { get; }

    /// <summary>
    /// The sense policy row for this sense on this device (profile rows first), resolved once by the client that
    /// executed the command; null only when the exception did not come through a client.
    /// </summary>
    public SenseRule? Rule { get; private set; }

    /// <summary>Attaches the resolved policy row (the first attachment wins). Returns this exception.</summary>
    public ScsiCheckConditionException WithRule(SenseRule rule)
    {
        Rule ??= rule;
        return this;
    }

    public SenseKey Key => Sense.Key;
    public byte Asc => Sense.Asc;
    public byte Ascq => Sense.Ascq;
}

/// <summary>A non-GOOD SCSI status other than CHECK CONDITION (BUSY, RESERVATION CONFLICT, TASK SET FULL...).</summary>
public sealed class ScsiStatusException : ScsiException
{
    public ScsiStatusException(string command, ScsiStatus status)
        : base($"{command} failed: device returned status {status}", command) => Status = status;

    public ScsiStatus Status { get; }
}

/// <summary>What kind of transport failure happened; drives the CLI exit code.</summary>
public enum TransportFailure
{
    /// <summary>The command could not be delivered or its reply was lost (host/driver error, connection drop).</summary>
    Io,
    /// <summary>The command did not complete within its timeout.</summary>
    Timeout,
    /// <summary>The device node or target does not exist.</summary>
    NotFound,
    /// <summary>The caller lacks permission to open the device.</summary>
    PermissionDenied,
    /// <summary>The device is in use by another process.</summary>
    Busy,
    /// <summary>The transport is not available in this build or on this OS.</summary>
    Unsupported,
}

/// <summary>The command could not be carried to the device or back (I/O error, timeout, missing device...).</summary>
public sealed class ScsiTransportException : ScsiException
{
    public ScsiTransportException(TransportFailure failure, string message, string? command = null, Exception? inner = null)
        : base(message, command, inner) => Failure = failure;

    public TransportFailure Failure { get; }
}
