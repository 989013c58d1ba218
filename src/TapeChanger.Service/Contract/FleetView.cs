namespace TapeChanger.Service;

/// <summary>Whether a library of the fleet has a live owner.</summary>
public enum FleetLibraryState
{
    /// <summary>A service holds the lease and moves the library.</summary>
    Owned,
    /// <summary>Nobody holds the lease (its owner stopped or died): a service serving the library takes it within a lease time.</summary>
    Unowned,
}

/// <summary>
/// One library of the fleet as the lease table shows it. <see cref="DrivesNeedingCleaning"/> and <see cref="Cleaning"/>
/// are the cleaning state its owner last reported (the drives it saw asking for cleaning; a Clean request in process);
/// an unowned library keeps the last owner's drives and is never shown cleaning (nobody runs anything on it).
/// </summary>
public sealed record FleetLibrary(string Library, FleetLibraryState State, string? Owner, string? OwnerUrl, long FencingToken,
    long LeaseLeftMilliseconds, string Health, int QueueDepth, bool ServedHere, IReadOnlyList<int> DrivesNeedingCleaning, bool Cleaning);

/// <summary>A service of the fleet and when it was last seen.</summary>
public sealed record FleetMember(string Service, string? Url, long SeenMillisecondsAgo);

/// <summary>The fleet as any of its services sees it: the control plane.</summary>
public sealed record FleetView(string Service, string Database, IReadOnlyList<FleetLibrary> Libraries, IReadOnlyList<FleetMember> Services);

/// <summary>
/// A library another service of the fleet owns, as a service that does not own it sees it: <see cref="Service"/> is
/// this service's name, <see cref="Owner"/> and <see cref="OwnerUrl"/> the owner's (its Fleet:Url) for passing a read on.
/// </summary>
public sealed record FleetOwner(string Library, string Service, string Owner, string? OwnerUrl);
