using TapeChanger.Transport;

namespace TapeChanger.Service.Opening;

/// <summary>Everything opening a library needs: the device, the state and profile folders, and the retry settings.</summary>
public sealed record LibraryOpenSettings
{
    public required string DeviceUri { get; init; }
    /// <summary>Full path of the state directory (learned quirks, reservations, robot locks, virtual libraries).</summary>
    public required string StateDirectory { get; init; }
    /// <summary>Hardware-profile overrides (*.json, replacing shipped profiles by name).</summary>
    public required string ProfilesDirectory { get; init; }
    /// <summary>Use this hardware profile whatever INQUIRY says (the CLI's --profile); learned quirks are then not applied.</summary>
    public string? ProfileName { get; init; }
    /// <summary>Barcode prefix of cleaning cartridges; null: the profile's.</summary>
    public string? CleanerPrefix { get; init; }
    public int UnitAttentionRetries { get; init; } = 5;
    /// <summary>Null: the profile's limit.</summary>
    public int? BecomingReadySeconds { get; init; }
    public int OperatorWaitSeconds { get; init; }
    public bool SptBufferedOnly { get; init; }
    /// <summary>Where each CDB, status and sense is written (--verbose), with the reply bytes when <see cref="TraceData"/>; null: not traced.</summary>
    public TextWriter? TraceTo { get; init; }
    public bool TraceData { get; init; }
    /// <summary>Told when a command waits (becoming ready, an operator); null: silent.</summary>
    public Action<string>? OnWaiting { get; init; }
    /// <summary>Turns an unknown forced profile (ArgumentException text) into the caller's error; null: the ArgumentException.</summary>
    public Func<string, Exception>? ProfileError { get; init; }
    /// <summary>
    /// Wraps every changer and drive client's transport, beside tracing (an observer: tests record the commands sent);
    /// drive locators still see the transport as opened.
    /// </summary>
    public Func<IScsiTransport, IScsiTransport>? Observe { get; init; }
    /// <summary>A file to append one line per SCSI command to (<see cref="ScsiLogTransport"/>); null: none.</summary>
    public string? ScsiLog { get; init; }
    /// <summary>Opens a transport (tests share one); null: every transport this build has (TapeChanger.Composition).</summary>
    public Func<DeviceAddress, TransportOpenContext, CancellationToken, ValueTask<IScsiTransport>>? OpenTransport { get; init; }

    /// <summary>
    /// The longest a MOVE MEDIUM (EXCHANGE, POSITION) may take: the profile's move timeout is cut to it when longer.
    /// Fleet mode sets it to the move's time budget, so a move either ends or is given up within the lease time it
    /// was started with. Null: the profile's.
    /// </summary>
    public TimeSpan? MoveTimeout { get; init; }

    /// <summary>Called before every command that moves the robot is sent (<see cref="TapeChanger.Transport.SmcClient.BeforeMotion"/>); fleet mode's lease time check.</summary>
    public Func<CancellationToken, ValueTask>? BeforeMotion { get; init; }
}
