using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TapeChanger.Cli.Output;
using TapeChanger.Domain;
using TapeChanger.Transport;
using TapeChanger.Composition;

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

    private ProfileCatalog? _catalog;

    /// <summary>Shipped profiles plus the overrides; a broken override file fails here, naming the file and field (exit 78).</summary>
    public ProfileCatalog Catalog => _catalog ??= ProfileCatalog.Load(ProfilesDirectory);

    /// <summary>The profile chosen for this session (once; by --profile or by the library's INQUIRY).</summary>
    public ProfileSelection? Profile { get; private set; }

    public ProfileSelection SelectProfile(string vendor, string product, string revision) =>
        Profile ??= ProfileName is { } name ? ForcedProfile(name) : Catalog.Select(vendor, product, revision);

    private ProfileSelection ForcedProfile(string name)
    {
        try { return Catalog.Force(name); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    /// <summary>
    /// A client carrying the library's quirks. Without --profile the selection needs INQUIRY first; the client caches
    /// it, so the command's own INQUIRY costs no second round trip.
    /// </summary>
    private async ValueTask<SmcClient> ClientAsync(IScsiTransport transport, CancellationToken ct)
    {
        var client = new SmcClient(Traced(transport), Retry);
        if (Profile is null)
        {
            if (ProfileName is { } name) Profile = ForcedProfile(name);
            else if (LibraryCache?.Load() is { } kept)
            {
                // An earlier session's INQUIRY: no command (the replies check the kept map; MediaChanger).
                SelectProfile(kept.Vendor, kept.Product, kept.Revision);
                _learnedPath = LearnedPathFor(kept.Vendor, kept.Product, kept.Revision);
                _learnedIdentity = new LearnedQuirks { Vendor = kept.Vendor, Product = kept.Product, Revision = kept.Revision, Device = DeviceUri };
            }
            else
            {
                var inq = await client.InquiryAsync(ct).ConfigureAwait(false);
                SelectProfile(inq.Vendor, inq.Product, inq.Revision);
                _learnedPath = LearnedPathFor(inq.Vendor, inq.Product, inq.Revision);
                _learnedIdentity = new LearnedQuirks { Vendor = inq.Vendor, Product = inq.Product, Revision = inq.Revision, Device = DeviceUri };
            }
        }
        var quirks = Profile!.Profile.ToQuirks();
        // What earlier sessions learned about this library is laid over its profile (not with --profile: the operator decides).
        if (_learnedPath is not null && LearnedQuirksStore.Load(_learnedPath) is { } learned) quirks = learned.ApplyTo(quirks);
        client.ApplyQuirks(quirks);
        return client;
    }

    private FileLibraryCache? _libraryCache;

    /// <summary>
    /// This device's kept identity and element map (STATE/library-cache); null for replay: devices, whose scripts
    /// answer what was recorded, not what a library would.
    /// </summary>
    public FileLibraryCache? LibraryCache => Address.Scheme == DeviceScheme.Replay ? null : _libraryCache ??= new FileLibraryCache(StateDirectory, DeviceUri);

    private string? _learnedPath;
    private LearnedQuirks? _learnedIdentity;

    /// <summary>
    /// Where this library's learned quirks live; null for replay: devices, whose scripts answer unrecorded request
    /// forms with 05/24/00 and would teach wrong lessons about the real library.
    /// </summary>
    private string? LearnedPathFor(string vendor, string product, string revision) =>
        Address.Scheme == DeviceScheme.Replay ? null : LearnedQuirksStore.PathFor(StateDirectory, vendor, product, revision, DeviceUri);

    public DeviceAddress Address => Transports.Parse(DeviceUri);

    /// <summary>What the transports get from the settings.</summary>
    public TransportOpenContext OpenContext => new(StateDirectory) { SptBufferedOnly = Options.SptBufferedOnly };

    /// <summary>--operator-wait SECONDS, else OperatorWaitSeconds from appsettings / TAPECHANGER_OperatorWaitSeconds.</summary>
    public int OperatorWaitSeconds { get; init; }

    private RetryPolicy Retry => new()
    {
        UnitAttentionRetries = Options.UnitAttentionRetries,
        BecomingReadyTimeout = Options.BecomingReadySeconds is int s ? TimeSpan.FromSeconds(s) : null,   // null: the profile's limit
        OperatorWaitLimit = TimeSpan.FromSeconds(OperatorWaitSeconds),
        OnWaiting = message => Err.WriteLine($"tapechanger: {message}"),
    };

    private IScsiTransport Traced(IScsiTransport t) => Verbose || Trace ? new TracingTransport(t, Err, dumpData: Trace) : t;

    private readonly List<MediaChanger> _opened = [];

    /// <summary>
    /// After the command (success or failure): says on stderr what the changers warned about (profile defaults
    /// used, quirks learned), once each. Never throws: the command's own outcome decides the exit code.
    /// </summary>
    public void Finish()
    {
        try
        {
            foreach (var w in _opened.SelectMany(c => c.Warnings).Distinct()) Err.WriteLine($"tapechanger: warning: {w}");
            // Remember what the library taught this session (e.g. a combined READ ELEMENT STATUS split after 05/24/00).
            if (_learnedPath is not null && _learnedIdentity is not null && _opened.LastOrDefault(c => c.Learned.Count > 0) is { } taught)
            {
                LearnedQuirksStore.Save(_learnedPath, _learnedIdentity, taught.Quirks, _opened.SelectMany(c => c.Learned), DateTimeOffset.UtcNow);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // stderr closed or the state directory read-only: the learning is only an optimisation.
        }
    }

    /// <summary>Opens the device for data commands: the reserved cleaner slot (if any) is off limits.</summary>
    public async ValueTask<MediaChanger> OpenChangerAsync(CancellationToken ct)
    {
        var reserved = new HashSet<ushort>();
        if (TapeChanger.Cleaning.ReservationIndex.ReservedAddress(StateDirectory, DeviceUri) is ushort r) reserved.Add(r);
        _ = Catalog;                                    // a broken override file fails before the device is touched
        if (ProfileName is { } forced) Profile ??= ForcedProfile(forced);
        var transport = await Transports.OpenAsync(Address, OpenContext, ct).ConfigureAwait(false);
        try
        {
            var client = await ClientAsync(transport, ct).ConfigureAwait(false);
            var changer = new MediaChanger(client, new ChangerSettings
            {
                Cleaners = CleanerRecognition.For(Profile?.Profile, Options.CleanerPrefix),
                ReservedAddresses = reserved,
                Drives = DrivesOf(transport),
                Cache = LibraryCache,
            });
            _opened.Add(changer);
            return changer;
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private readonly TransportDrives _drives = new();

    /// <summary>The registered drive locators and what this process found with them (one listing per changer).</summary>
    private sealed class TransportDrives
    {
        public DriveLocatorRegistry Locators { get; } = Transports.DriveLocators();
        public DriveLocatorCache Cache { get; } = new();
    }

    /// <summary>
    /// The session's drives: found by the changer transport's locator, paired by the domain, and opened with a traced
    /// client (with --verbose each drive command is logged, after a line naming the drive's device).
    /// </summary>
    private DriveAccess DrivesOf(IScsiTransport changer) => new(_drives.Locators, new DriveSearch(Address, changer) { StateDirectory = StateDirectory }, t =>
    {
        if (Verbose || Trace) Err.WriteLine($"# drive {t.Device}");
        return new SmcClient(Traced(t), Retry) { IsDrive = true };
    }, _drives.Cache);

    /// <summary>
    /// A changer (or any device) other than the session's, with the generic profile, for 'list': its identity, map and
    /// drives. The caller disposes it.
    /// </summary>
    public async ValueTask<MediaChanger> OpenChangerAtAsync(DeviceAddress address, CancellationToken ct)
    {
        var transport = await Transports.OpenAsync(address, OpenContext, ct).ConfigureAwait(false);
        return new MediaChanger(new SmcClient(Traced(transport), Retry), new ChangerSettings
        {
            Cleaners = CleanerRecognition.For(null, Options.CleanerPrefix),
            Drives = new DriveAccess(_drives.Locators, new DriveSearch(address, transport) { StateDirectory = StateDirectory },
                t => new SmcClient(Traced(t), Retry) { IsDrive = true }, _drives.Cache),
        });
    }

    /// <summary>
    /// The library's robot lock (<c>robot.lock</c> in its state folder, the lock cleaner steps hold), taken by a move
    /// command from its first status read to its last move: moves from two processes on one library run one after
    /// the other, each deciding on what the previous one left. An OS file lock (FileShare.None), so it holds across
    /// processes on Windows as on Unix.
    /// </summary>
    public async Task<IDisposable> LockRobotAsync(MediaChanger changer, CancellationToken ct)
    {
        var id = await changer.GetIdentityAsync(withSerial: true, ct).ConfigureAwait(false);
        string dir = new TapeChanger.Cleaning.CleanerStateStore(StateDirectory, id.Vendor, id.Product, id.SerialNumber).Directory;
        return await TapeChanger.Cleaning.RobotLock.AcquireAsync(dir, TimeSpan.FromMinutes(5), ct).ConfigureAwait(false);
    }

    /// <summary>Sessions for the cleaner service: the changer plus its drives where the transport reaches them.</summary>
    public TapeChanger.Cleaning.IChangerConnector Connector() => new CliChangerConnector(this);

    private sealed class CliChangerConnector(CliContext ctx) : TapeChanger.Cleaning.IChangerConnector, TapeChanger.Cleaning.IDeviceNamed
    {
        public string DeviceName => ctx.DeviceUri;

        public async ValueTask<TapeChanger.Cleaning.ChangerSession> OpenAsync(CancellationToken ct)
        {
            _ = ctx.Catalog;
            var transport = await Transports.OpenAsync(ctx.Address, ctx.OpenContext, ct).ConfigureAwait(false);
            SmcClient client;
            try { client = await ctx.ClientAsync(transport, ct).ConfigureAwait(false); }
            catch
            {
                await transport.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            var changer = new MediaChanger(client, new ChangerSettings
            {
                Cleaners = CleanerRecognition.For(ctx.Profile?.Profile, ctx.Options.CleanerPrefix),
                Drives = ctx.DrivesOf(transport),
                Cache = ctx.LibraryCache,
            });
            ctx._opened.Add(changer);
            return new TapeChanger.Cleaning.ChangerSession(changer);
        }
    }

    /// <summary>Writes the JSON document (with --json) or the human text.</summary>
    public void Emit<T>(T document, JsonTypeInfo<T> typeInfo, string human)
    {
        if (Json)
        {
            // Streamed to the writer in UTF-8 chunks: a 50,000-element status never exists as one string.
            using (var stream = new TextWriterStream(Out)) JsonSerializer.Serialize(stream, document, typeInfo);
            Out.WriteLine();
        }
        else if (human.Length > 0) Out.WriteLine(human);
    }

    public void Done(string message) => Emit(new MessageDocument(message), CliJsonContext.Default.MessageDocument, message);
}
