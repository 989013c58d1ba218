using TapeChanger.Cleaning;
using TapeChanger.Composition;
using TapeChanger.Domain;
using TapeChanger.State;
using TapeChanger.Transport;

namespace TapeChanger.Service.Opening;

/// <summary>
/// Opens one library the way every front end does (the CLI per command, the service per request): the transport from
/// the device URI, the hardware profile chosen from INQUIRY (or forced), what earlier sessions learned laid over it,
/// the retry policy, the reserved cleaner slot kept out of data moves, and the drives reached through the transport's
/// locator and paired by the domain. Thread-safe: the service opens sessions from its picker and its waiting cleaner
/// operations at once.
/// </summary>
public sealed class LibraryOpener
{
    private readonly Lock _lock = new();
    private readonly List<(MediaChanger Changer, SmcClient Client)> _opened = [];
    private readonly DriveLocatorRegistry _locators = Transports.DriveLocators();
    private readonly DriveLocatorCache _driveCache = new();
    private ProfileCatalog? _catalog;
    private ProfileSelection? _profile;
    private LearnedQuirksKey? _learnedKey;
    private LearnedQuirks? _learnedIdentity;

    public LibraryOpener(LibraryOpenSettings settings) => Settings = settings;

    public LibraryOpenSettings Settings { get; }

    public string DeviceUri => Settings.DeviceUri;

    /// <summary>Shipped profiles plus the overrides; a broken override file fails here, naming the file and field.</summary>
    public ProfileCatalog Catalog
    {
        get { lock (_lock) return _catalog ??= ProfileCatalog.Load(Settings.ProfilesDirectory); }
    }

    /// <summary>The profile chosen (once; forced, or by the library's INQUIRY); null before the first open.</summary>
    public ProfileSelection? Profile
    {
        get { lock (_lock) return _profile; }
    }

    public ProfileSelection SelectProfile(string vendor, string product, string revision)
    {
        var catalog = Catalog;
        lock (_lock) return _profile ??= Settings.ProfileName is { } name ? Forced(catalog, name) : catalog.Select(vendor, product, revision);
    }

    private ProfileSelection Forced(ProfileCatalog catalog, string name)
    {
        try { return catalog.Force(name); }
        catch (ArgumentException e) when (Settings.ProfileError is { } map) { throw map(e.Message); }
    }

    public DeviceAddress Address => Transports.Parse(Settings.DeviceUri);

    /// <summary>What the transports get from the settings.</summary>
    public TransportOpenContext OpenContext => new(Settings.StateDirectory) { SptBufferedOnly = Settings.SptBufferedOnly };

    private RetryPolicy Retry => new()
    {
        UnitAttentionRetries = Settings.UnitAttentionRetries,
        BecomingReadyTimeout = Settings.BecomingReadySeconds is int s ? TimeSpan.FromSeconds(s) : null,   // null: the profile's limit
        OperatorWaitLimit = TimeSpan.FromSeconds(Settings.OperatorWaitSeconds),
        OnWaiting = Settings.OnWaiting,
    };

    private IScsiTransport Traced(IScsiTransport t)
    {
        if (Settings.ScsiLog is { Length: > 0 } log) t = new ScsiLogTransport(t, log);
        if (Settings.Observe is { } observe) t = observe(t);
        return Settings.TraceTo is { } w ? new TracingTransport(t, w, dumpData: Settings.TraceData) : t;
    }

    private ValueTask<IScsiTransport> OpenTransportAsync(DeviceAddress address, CancellationToken ct) =>
        Settings.OpenTransport is { } open ? open(address, OpenContext, ct) : Transports.OpenAsync(address, OpenContext, ct);

    /// <summary>
    /// A client carrying the library's quirks. Without a forced profile the selection needs INQUIRY first; the client
    /// caches it, so the command's own INQUIRY costs no second round trip.
    /// </summary>
    private async ValueTask<SmcClient> ClientAsync(IScsiTransport transport, CancellationToken ct)
    {
        var client = new SmcClient(Traced(transport), Retry);
        if (Profile is null)
        {
            if (Settings.ProfileName is { } name) SelectProfile("", "", "");
            else if (LibraryCache?.Load() is { } kept)
            {
                // An earlier session's INQUIRY: no command (the replies check the kept map; MediaChanger).
                SelectProfile(kept.Vendor, kept.Product, kept.Revision);
                lock (_lock)
                {
                    _learnedKey ??= LearnedKeyFor(kept.Vendor, kept.Product, kept.Revision);
                    _learnedIdentity ??= new LearnedQuirks { Vendor = kept.Vendor, Product = kept.Product, Revision = kept.Revision, Device = Settings.DeviceUri };
                }
            }
            else
            {
                var inq = await client.InquiryAsync(ct).ConfigureAwait(false);
                SelectProfile(inq.Vendor, inq.Product, inq.Revision);
                lock (_lock)
                {
                    _learnedKey ??= LearnedKeyFor(inq.Vendor, inq.Product, inq.Revision);
                    _learnedIdentity ??= new LearnedQuirks { Vendor = inq.Vendor, Product = inq.Product, Revision = inq.Revision, Device = Settings.DeviceUri };
                }
            }
        }
        var quirks = Profile!.Profile.ToQuirks();
        // What earlier sessions learned about this library is laid over its profile (not with a forced profile: the operator decides).
        LearnedQuirksKey? learnedKey;
        lock (_lock) learnedKey = _learnedKey;
        if (learnedKey is not null && LearnedQuirksStore.Load(learnedKey) is { } learned) quirks = learned.ApplyTo(quirks);
        if (Settings.MoveTimeout is { } cap && cap < quirks.MoveTimeout) quirks = quirks with { MoveTimeout = cap };
        client.ApplyQuirks(quirks);
        client.BeforeMotion = Settings.BeforeMotion;
        return client;
    }

    private FileLibraryCache? _libraryCache;

    /// <summary>
    /// This device's kept identity and element map (STATE/library-cache); null for replay: devices, whose scripts
    /// answer what was recorded, not what a library would.
    /// </summary>
    public FileLibraryCache? LibraryCache
    {
        get
        {
            if (Address.Scheme == DeviceScheme.Replay) return null;
            lock (_lock) return _libraryCache ??= new FileLibraryCache(Settings.StateDirectory, Settings.DeviceUri);
        }
    }

    /// <summary>
    /// Where this library's learned quirks live; null for replay: devices, whose scripts answer unrecorded request
    /// forms with 05/24/00 and would teach wrong lessons about the real library.
    /// </summary>
    private LearnedQuirksKey? LearnedKeyFor(string vendor, string product, string revision) =>
        Address.Scheme == DeviceScheme.Replay ? null : LearnedQuirksStore.For(Settings.StateDirectory, vendor, product, revision, Settings.DeviceUri);

    /// <summary>The reserved cleaner slot of this device, if any (kept out of data moves).</summary>
    public IReadOnlySet<ushort> ReservedAddresses()
    {
        var reserved = new HashSet<ushort>();
        if (ReservationIndex.ReservedAddress(Settings.StateDirectory, Settings.DeviceUri) is ushort r) reserved.Add(r);
        return reserved;
    }

    /// <summary>
    /// Opens the device for data commands: the reserved cleaner slot (if any) is off limits. <paramref name="knownMap"/>
    /// (the element map an earlier session read) spares the MODE SENSE.
    /// </summary>
    public ValueTask<MediaChanger> OpenChangerAsync(CancellationToken ct, ElementMap? knownMap = null) =>
        OpenAsync(ReservedAddresses(), knownMap, ct);

    /// <summary>
    /// Opens the device for a look that moves nothing (status, inquiry): when the cleaner state cannot be read
    /// (<see cref="IsUnreadableState"/>), <paramref name="unreadable"/> hears why and the changer opens without the
    /// reservation instead of failing.
    /// </summary>
    public ValueTask<MediaChanger> OpenForLookAsync(Action<Exception> unreadable, CancellationToken ct)
    {
        IReadOnlySet<ushort> reserved;
        try
        {
            reserved = ReservedAddresses();
        }
        catch (Exception e) when (IsUnreadableState(e))
        {
            unreadable(e);
            reserved = new HashSet<ushort>();
        }
        return OpenAsync(reserved, null, ct);
    }

    /// <summary>The cleaner state could not be read: a state database failure, or an old cleaner.json that cannot be imported.</summary>
    public static bool IsUnreadableState(Exception e) => e is TapeChanger.State.StateDatabaseException
        || e is CleanerException { Result: NtmsResult.ERROR_DATABASE_FAILURE or NtmsResult.ERROR_DATABASE_FULL };

    private async ValueTask<MediaChanger> OpenAsync(IReadOnlySet<ushort>? reserved, ElementMap? knownMap, CancellationToken ct)
    {
        _ = Catalog;                                    // a broken override file fails before the device is touched
        if (Settings.ProfileName is { } forced && Profile is null) SelectProfile("", "", "");
        var address = Address;
        var transport = await OpenTransportAsync(address, ct).ConfigureAwait(false);
        try
        {
            var client = await ClientAsync(transport, ct).ConfigureAwait(false);
            var settings = new ChangerSettings
            {
                Cleaners = CleanerRecognition.For(Profile?.Profile, Settings.CleanerPrefix),
                Drives = DrivesOf(address, transport),
                Cache = LibraryCache,
            };
            if (reserved is not null) settings = settings with { ReservedAddresses = reserved };
            var changer = new MediaChanger(client, settings, knownMap);
            lock (_lock) _opened.Add((changer, client));
            return changer;
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The session's drives: found by the changer transport's locator, paired by the domain, and opened with a traced
    /// client (when traced, each drive command is logged after a line naming the drive's device).
    /// </summary>
    private DriveAccess DrivesOf(DeviceAddress address, IScsiTransport changer) =>
        new(_locators, new DriveSearch(address, changer) { StateDirectory = Settings.StateDirectory }, t =>
        {
            Settings.TraceTo?.WriteLine($"# drive {t.Device}");
            return new SmcClient(Traced(t), Retry) { IsDrive = true };
        }, _driveCache);

    /// <summary>
    /// A changer (or any device) other than this one, with the generic profile (for 'list'): its identity, map and
    /// drives. The caller disposes it.
    /// </summary>
    public async ValueTask<MediaChanger> OpenChangerAtAsync(DeviceAddress address, CancellationToken ct)
    {
        var transport = await OpenTransportAsync(address, ct).ConfigureAwait(false);
        return new MediaChanger(new SmcClient(Traced(transport), Retry), new ChangerSettings
        {
            Cleaners = CleanerRecognition.For(null, Settings.CleanerPrefix),
            Drives = new DriveAccess(_locators, new DriveSearch(address, transport) { StateDirectory = Settings.StateDirectory },
                t => new SmcClient(Traced(t), Retry) { IsDrive = true }, _driveCache),
        });
    }

    /// <summary>Sessions for the cleaner service: the changer plus its drives where the transport reaches them.</summary>
    public IChangerConnector Connector() => new OpenerConnector(this);

    private sealed class OpenerConnector(LibraryOpener opener) : IChangerConnector, IDeviceNamed
    {
        public string DeviceName => opener.Settings.DeviceUri;

        public async ValueTask<ChangerSession> OpenAsync(CancellationToken ct) =>
            new(await opener.OpenAsync(reserved: null, knownMap: null, ct).ConfigureAwait(false));
    }

    /// <summary>
    /// The library's robot lock (<c>robot.lock</c> in its state folder, the lock cleaner steps hold), taken from a
    /// move's first status read to its last move: moves from two processes on one library run one after the other,
    /// each deciding on what the previous one left. An OS file lock, so it holds across processes on Windows as on Unix.
    /// </summary>
    public async Task<IDisposable> LockRobotAsync(MediaChanger changer, CancellationToken ct)
    {
        var id = await changer.GetIdentityAsync(withSerial: true, ct).ConfigureAwait(false);
        return Logged(await RobotLock.AcquireAsync(RobotLockDirectory(id), TimeSpan.FromMinutes(5), ct).ConfigureAwait(false));
    }

    /// <summary>
    /// The robot lock as held, in the ScsiLog when there is one: a "ROBOT LOCK" line from its taking to its release
    /// (written when released), so the log shows that each process moved only while it held the robot.
    /// </summary>
    public IDisposable Logged(IDisposable robotLock) =>
        Settings.ScsiLog is { Length: > 0 } log ? new LoggedHold(robotLock, log, Settings.DeviceUri) : robotLock;

    private sealed class LoggedHold(IDisposable held, string log, string device) : IDisposable
    {
        private readonly DateTimeOffset _taken = DateTimeOffset.UtcNow;

        public void Dispose()
        {
            var released = DateTimeOffset.UtcNow;        // before the release: the next holder's time comes after it
            held.Dispose();
            ScsiLogTransport.Append(log, _taken, released, device, "ROBOT LOCK", "Held");
        }
    }

    /// <summary>The folder holding the robot lock of the library with this identity.</summary>
    public string RobotLockDirectory(LibraryIdentity id) => new CleanerStateStore(Settings.StateDirectory, id.Vendor, id.Product, id.SerialNumber).Directory;

    /// <summary>
    /// What the sessions opened since the last call reported: their warnings (profile defaults used, quirks learned),
    /// once each, and how many unit attentions said the library's elements may have changed. What they learned is
    /// saved for the next session (the learning is only an optimisation: a read-only state folder is no failure).
    /// Forgets those sessions.
    /// </summary>
    public SessionReport TakeReport(DateTimeOffset now)
    {
        List<(MediaChanger Changer, SmcClient Client)> opened;
        LearnedQuirksKey? learnedKey;
        LearnedQuirks? identity;
        lock (_lock)
        {
            opened = [.. _opened];
            _opened.Clear();
            learnedKey = _learnedKey;
            identity = _learnedIdentity;
        }
        var warnings = opened.SelectMany(o => o.Changer.Warnings).Distinct().ToList();
        int changes = opened.Sum(o => o.Client.MapChangesSeen);
        if (learnedKey is not null && identity is not null && opened.LastOrDefault(o => o.Changer.Learned.Count > 0) is { Changer: { } taught })
        {
            try
            {
                LearnedQuirksStore.Save(learnedKey, identity, taught.Quirks, opened.SelectMany(o => o.Changer.Learned), now);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or TapeChanger.State.StateDatabaseException)
            {
                // the state directory read-only or its database unusable: the next session learns again.
            }
        }
        return new SessionReport(warnings, changes);
    }
}

/// <summary>What sessions reported: warnings to show once, and unit attentions after which cached element state is stale.</summary>
public sealed record SessionReport(IReadOnlyList<string> Warnings, int MapChangesSeen);
