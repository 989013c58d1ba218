using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TapeChanger.Cli.Output;
using TapeChanger.Domain;
using TapeChanger.Transport;
using TapeChanger.Composition;
using TapeChanger.Service.Opening;

namespace TapeChanger.Cli;

/// <summary>Resolved global options and the shared services a command needs.</summary>
internal sealed class CliContext
{
    public required TapeChangerOptions Options { get; init; }
    public required string DeviceUri { get; init; }
    public required string StateDirectory { get; init; }
    public required bool Json { get; init; }
    public required bool Verbose { get; init; }
    public required bool Trace { get; init; }
    public required TextWriter Out { get; init; }
    public required TextWriter Err { get; init; }
    /// <summary>--profile NAME: use this hardware profile whatever INQUIRY says.</summary>
    public string? ProfileName { get; init; }
    /// <summary>Hardware-profile overrides (*.json), replacing shipped profiles by name.</summary>
    public required string ProfilesDirectory { get; init; }

    private LibraryOpener? _opener;

    /// <summary>How this command opens its library: the one place the CLI and the service share (TapeChanger.Service.Opening).</summary>
    private LibraryOpener Opener => _opener ??= new LibraryOpener(new LibraryOpenSettings
    {
        DeviceUri = DeviceUri,
        StateDirectory = StateDirectory,
        ProfilesDirectory = ProfilesDirectory,
        ProfileName = ProfileName,
        CleanerPrefix = Options.CleanerPrefix,
        UnitAttentionRetries = Options.UnitAttentionRetries,
        BecomingReadySeconds = Options.BecomingReadySeconds,
        OperatorWaitSeconds = OperatorWaitSeconds,
        SptBufferedOnly = Options.SptBufferedOnly,
        Observe = TransportObserver.Current,
        ScsiLog = Options.ScsiLog is { Length: > 0 } log ? Path.GetFullPath(log) : null,
        TraceTo = Verbose || Trace ? Err : null,
        TraceData = Trace,
        OnWaiting = message => Err.WriteLine($"tapechanger: {message}"),
        ProfileError = message => new UsageException(message),
    });

    /// <summary>Shipped profiles plus the overrides; a broken override file fails here, naming the file and field (exit 78).</summary>
    public ProfileCatalog Catalog => Opener.Catalog;

    /// <summary>The profile chosen for this session (once; by --profile or by the library's INQUIRY).</summary>
    public ProfileSelection? Profile => Opener.Profile;

    public ProfileSelection SelectProfile(string vendor, string product, string revision) => Opener.SelectProfile(vendor, product, revision);

    public DeviceAddress Address => Transports.Parse(DeviceUri);

    /// <summary>What the transports get from the settings.</summary>
    public TransportOpenContext OpenContext => Opener.OpenContext;

    /// <summary>--operator-wait SECONDS, else OperatorWaitSeconds from appsettings / TAPECHANGER_OperatorWaitSeconds.</summary>
    public int OperatorWaitSeconds { get; init; }

    /// <summary>
    /// After the command (success or failure): says on stderr what the changers warned about (profile defaults
    /// used, quirks learned), once each, and saves what they learned. Never throws: the command's own outcome decides
    /// the exit code.
    /// </summary>
    public void Finish()
    {
        if (_opener is null) return;
        var report = _opener.TakeReport(DateTimeOffset.UtcNow);
        try
        {
            foreach (var w in report.Warnings) Err.WriteLine($"tapechanger: warning: {w}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // stderr closed.
        }
    }

    /// <summary>
    /// Opens the device for data commands: the reserved cleaner slot (if any) is off limits, so a cleaner state that
    /// cannot be read stops them (ERROR_DATABASE_FAILURE, exit 78). <paramref name="readOnly"/> commands (status,
    /// inquiry) move nothing: they go on with one warning instead.
    /// </summary>
    public ValueTask<MediaChanger> OpenChangerAsync(CancellationToken ct, bool readOnly = false) =>
        readOnly ? Opener.OpenForLookAsync(WarnStateUnreadable, ct) : Opener.OpenChangerAsync(ct);

    /// <summary>The cleaner state could not be read: a state database failure, or an old cleaner.json that cannot be imported.</summary>
    public static bool IsUnreadableState(Exception e) => LibraryOpener.IsUnreadableState(e);

    private bool _stateWarned;

    /// <summary>One warning line per command: the library is shown without its cleaner state.</summary>
    public void WarnStateUnreadable(Exception e)
    {
        if (_stateWarned) return;
        _stateWarned = true;
        Err.WriteLine($"tapechanger: warning: cleaner state not shown: {e.Message}");
    }

    /// <summary>
    /// A changer (or any device) other than the session's, with the generic profile, for 'list': its identity, map and
    /// drives. The caller disposes it.
    /// </summary>
    public ValueTask<MediaChanger> OpenChangerAtAsync(DeviceAddress address, CancellationToken ct) => Opener.OpenChangerAtAsync(address, ct);

    /// <summary>The library's robot lock (see <see cref="LibraryOpener.LockRobotAsync"/>).</summary>
    public Task<IDisposable> LockRobotAsync(MediaChanger changer, CancellationToken ct) => Opener.LockRobotAsync(changer, ct);

    /// <summary>Sessions for the cleaner service: the changer plus its drives where the transport reaches them.</summary>
    public TapeChanger.Cleaning.IChangerConnector Connector() => Opener.Connector();

    /// <summary>
    /// Writes the JSON document (with --json) or the human text. The document's serializer metadata is asked for only
    /// with --json: made and configured at first use, it was 3 million of the 7.8 million instructions of an
    /// `unload` that prints one line (callgrind, docs/performance.md).
    /// </summary>
    public void Emit<T>(T document, Func<JsonTypeInfo<T>> typeInfo, string human)
    {
        if (Json)
        {
            // Streamed to the writer in UTF-8 chunks: a 50,000-element status never exists as one string.
            using (var stream = new TextWriterStream(Out)) JsonSerializer.Serialize(stream, document, typeInfo());
            Out.WriteLine();
        }
        else if (human.Length > 0) Out.WriteLine(human);
    }

    public void Done(string message) => Emit(new MessageDocument(message), static () => CliJsonContext.Default.MessageDocument, message);
}
