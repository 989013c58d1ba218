using TapeChanger.Transport;

namespace TapeChanger.Domain;

/// <summary>
/// What one process remembers about drives it located: the candidates listed next to each changer (by device URI),
/// so a cleaning that opens a session per poll does not list the target's LUNs again every time.
/// </summary>
public sealed class DriveLocatorCache
{
    private readonly Dictionary<string, DriveCandidates> _listed = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    internal bool TryGet(string changer, out DriveCandidates candidates)
    {
        lock (_lock) return _listed.TryGetValue(changer, out candidates!);
    }

    internal void Set(string changer, DriveCandidates candidates)
    {
        lock (_lock) _listed[changer] = candidates;
    }
}

/// <summary>
/// The drives of one library session: the registered locator for the changer's transport lists the drives this host
/// can reach, <see cref="DrivePairing"/> matches them to drive elements, and a match opens as a <see cref="TapeDrive"/>.
/// </summary>
public sealed class DriveAccess
{
    private readonly DriveLocatorRegistry _locators;
    private readonly DriveSearch _search;
    private readonly Func<IScsiTransport, SmcClient> _clientFor;
    private readonly DriveLocatorCache _cache;

    /// <param name="clientFor">Makes the drive's client (the CLI traces it with --verbose); it must set <c>IsDrive</c>.</param>
    public DriveAccess(DriveLocatorRegistry locators, DriveSearch search, Func<IScsiTransport, SmcClient>? clientFor = null, DriveLocatorCache? cache = null)
    {
        _locators = locators;
        _search = search;
        _clientFor = clientFor ?? (t => new SmcClient(t) { IsDrive = true });
        _cache = cache ?? new DriveLocatorCache();
    }

    /// <summary>False when no registered locator serves the changer's transport (drives cannot be reached from here).</summary>
    public bool CanReachDrives => _locators.For(_search) is not null;

    /// <summary>The changer's device address as given: a <see cref="PairedDrive"/> opens only where it was paired.</summary>
    internal string Changer => _search.Changer.Original;

    /// <summary>Pairs drive elements with the drives the locator lists (listed once per changer and cache).</summary>
    public async ValueTask<IReadOnlyList<DrivePair>> PairAsync(IReadOnlyList<DriveElementIdentity> elements, CancellationToken ct = default)
    {
        var candidates = await ListAsync(ct).ConfigureAwait(false);
        return DrivePairing.Pair(elements, candidates);
    }

    /// <summary>The drives the locator finds next to the changer (none when no locator serves it).</summary>
    public async ValueTask<DriveCandidates> ListAsync(CancellationToken ct = default)
    {
        if (_locators.For(_search) is not { } locator) return DriveCandidates.None;
        string key = _search.Changer.Original;
        if (_cache.TryGet(key, out var known)) return known;
        var listed = await locator.ListAsync(_search, ct).ConfigureAwait(false);
        _cache.Set(key, listed);
        return listed;
    }

    /// <summary>
    /// True when a drive of this changer opens without the changer's session (its locator needs only the changer's
    /// address): a <see cref="PairedDrive"/> then opens after the session that paired it closed.
    /// </summary>
    public bool OpensDrivesWithoutChanger => _locators.For(_search) is { } locator && locator.OpensDrivesWithoutChanger(_search);

    /// <summary>Drive <paramref name="drive"/> of <paramref name="pairs"/>, to open now or later; null when it was not found on this host.</summary>
    public PairedDrive? Paired(int drive, IReadOnlyList<DrivePair> pairs) =>
        pairs.FirstOrDefault(p => p.DriveNumber == drive) is { Drive: { } candidate } ? new PairedDrive(drive, candidate, this) : null;

    /// <summary>Opens drive <paramref name="drive"/> of <paramref name="pairs"/>; null when it was not found on this host.</summary>
    public ValueTask<TapeDrive?> OpenAsync(int drive, IReadOnlyList<DrivePair> pairs, CancellationToken ct = default) =>
        Paired(drive, pairs) is { } paired ? OpenAsync(paired, ct) : ValueTask.FromResult<TapeDrive?>(null);

    /// <summary>Opens <paramref name="paired"/> (paired earlier, not read again); null when no locator serves the changer.</summary>
    /// <exception cref="ArgumentException"><paramref name="paired"/> was paired next to another changer.</exception>
    public async ValueTask<TapeDrive?> OpenAsync(PairedDrive paired, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(paired);
        // A drive paired next to another changer is another library's drive, or none: its device is not this one's.
        if (!string.Equals(paired.Changer, Changer, StringComparison.Ordinal))
            throw new ArgumentException($"drive {paired.Number} ({paired.Uri}) was paired with the changer {paired.Changer}, not {Changer}", nameof(paired));
        if (_locators.For(_search) is not { } locator) return null;
        int drive = paired.Number;
        var candidate = paired.Candidate;
        var transport = await locator.OpenAsync(_search, candidate, ct).ConfigureAwait(false);
        try
        {
            return new TapeDrive(drive, candidate, _clientFor(transport));
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
