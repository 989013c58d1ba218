using System.Collections.Concurrent;
using System.Text;
using TapeChanger.Storage;

namespace TapeChanger.Cleaning;

/// <summary>
/// RSM-compatible facade over <see cref="CleanerService"/>: ntmsapi.h's cleaner functions with their parameter
/// shapes, action values and DWORD result codes (Microsoft Learn, ntmsapi.h reference pages for the cleaner functions). Windows removed RSM in Windows 7; this is a
/// working successor for the cleaner part. Library, slot and drive GUIDs are deterministic: see <see cref="NtmsIds"/>.
/// </summary>
public static class Ntms
{
    public const uint NTMS_INJECT_START = 0;
    public const uint NTMS_INJECT_STOP = 1;
    public const uint NTMS_EJECT_START = 0;
    public const uint NTMS_EJECT_STOP = 1;
    /// <summary>NtmsObjectsTypes: NTMS_IEDOOR 7 and NTMS_IEPORT 8 select the path of an inject or eject.</summary>
    public const uint NTMS_IEDOOR = 7;
    public const uint NTMS_IEPORT = 8;

    private static readonly ConcurrentDictionary<nint, Session> Sessions = new();
    private static long _next = 0x1000;

    private sealed record Session(CleanerService Service, Guid Library, Func<CancellationToken, Task<IReadOnlyDictionary<Guid, int>>> Slots, Func<CancellationToken, Task<IReadOnlyDictionary<Guid, int>>> Drives);

    /// <summary>
    /// OpenNtmsSession for one library: returns a session handle (never 0 or -1). The library's GUID is
    /// <see cref="NtmsIds.Library"/> of its identity.
    /// </summary>
    public static nint OpenNtmsSession(CleanerService service, Guid library,
        Func<CancellationToken, Task<IReadOnlyDictionary<Guid, int>>> slots, Func<CancellationToken, Task<IReadOnlyDictionary<Guid, int>>> drives)
    {
        nint handle = (nint)Interlocked.Increment(ref _next);
        Sessions[handle] = new Session(service, library, slots, drives);
        return handle;
    }

    public static uint CloseNtmsSession(nint hSession) =>
        (uint)(Sessions.TryRemove(hSession, out _) ? NtmsResult.ERROR_SUCCESS : NtmsResult.ERROR_INVALID_HANDLE);

    public static uint ReserveNtmsCleanerSlot(nint hSession, in Guid lpLibrary, in Guid lpSlot)
    {
        Guid library = lpLibrary, slotId = lpSlot;
        return Call(hSession, library, async (s, ct) =>
        {
            var slots = await s.Slots(ct).ConfigureAwait(false);
            if (!slots.TryGetValue(slotId, out int slot)) throw new CleanerException(NtmsResult.ERROR_INVALID_SLOT, $"no slot {slotId} in this library");
            await s.Service.ReserveAsync(slot, ct).ConfigureAwait(false);
        });
    }

    public static uint ReleaseNtmsCleanerSlot(nint hSession, in Guid lpLibrary) =>
        Call(hSession, lpLibrary, (s, ct) => s.Service.ReleaseAsync(ct));

    /// <summary>
    /// InjectNtmsCleaner. START fills <paramref name="lpInjectOperation"/> with the new operation id and returns as
    /// soon as the request is queued (the operation runs in the background of this process); STOP takes the id.
    /// <paramref name="dwNumberOfCleansLeft"/> is an input (the SDK page marks it [out]; its Remarks say input).
    /// </summary>
    public static uint InjectNtmsCleaner(nint hSession, in Guid lpLibrary, ref Guid lpInjectOperation, uint dwNumberOfCleansLeft, uint dwAction, uint via = NTMS_IEPORT)
    {
        Guid op = lpInjectOperation;
        uint rc = Call(hSession, lpLibrary, async (s, ct) =>
        {
            switch (dwAction)
            {
                case NTMS_INJECT_START:
                    op = await s.Service.StartInjectAsync(via == NTMS_IEDOOR ? CleanerPath.Door : CleanerPath.Auto, dwNumberOfCleansLeft, null, ct).ConfigureAwait(false);
                    RunInBackground(s.Service, op);
                    break;
                case NTMS_INJECT_STOP:
                    await s.Service.StopAsync(op, ct).ConfigureAwait(false);
                    break;
                default:
                    throw new CleanerException(NtmsResult.ERROR_INVALID_PARAMETER, $"dwAction {dwAction} is not NTMS_INJECT_START or NTMS_INJECT_STOP");
            }
        });
        lpInjectOperation = op;
        return rc;
    }

    public static uint EjectNtmsCleaner(nint hSession, in Guid lpLibrary, ref Guid lpEjectOperation, uint dwAction, uint via = NTMS_IEPORT)
    {
        Guid op = lpEjectOperation;
        uint rc = Call(hSession, lpLibrary, async (s, ct) =>
        {
            switch (dwAction)
            {
                case NTMS_EJECT_START:
                    op = await s.Service.StartEjectAsync(via == NTMS_IEDOOR ? CleanerPath.Door : CleanerPath.Auto, null, ct).ConfigureAwait(false);
                    RunInBackground(s.Service, op);
                    break;
                case NTMS_EJECT_STOP:
                    await s.Service.StopAsync(op, ct).ConfigureAwait(false);
                    break;
                default:
                    throw new CleanerException(NtmsResult.ERROR_INVALID_PARAMETER, $"dwAction {dwAction} is not NTMS_EJECT_START or NTMS_EJECT_STOP");
            }
        });
        lpEjectOperation = op;
        return rc;
    }

    /// <summary>CleanNtmsDrive: queues a cleaning (runs in the background of this process).</summary>
    public static uint CleanNtmsDrive(nint hSession, in Guid lpDriveId)
    {
        Guid driveId = lpDriveId;
        if (!Sessions.TryGetValue(hSession, out var session)) return (uint)NtmsResult.ERROR_INVALID_HANDLE;
        return Call(hSession, session.Library, async (s, ct) =>
        {
            var drives = await s.Drives(ct).ConfigureAwait(false);
            if (!drives.TryGetValue(driveId, out int drive)) throw new CleanerException(NtmsResult.ERROR_INVALID_DRIVE, $"no drive {driveId} in this library");
            var op = await s.Service.StartCleanAsync(drive, unloadFirst: false, ct).ConfigureAwait(false);
            RunInBackground(s.Service, op);
        });
    }

    /// <summary>Background operations of this process, so callers (and tests) can wait for them.</summary>
    public static ConcurrentDictionary<Guid, Task<OperationRecord>> Running { get; } = new();

    private static void RunInBackground(CleanerService service, Guid op) =>
        Running[op] = Task.Run(() => service.RunAsync(op));

    private static uint Call(nint hSession, Guid library, Func<Session, CancellationToken, Task> body)
    {
        if (!Sessions.TryGetValue(hSession, out var s)) return (uint)NtmsResult.ERROR_INVALID_HANDLE;
        if (library != s.Library) return (uint)NtmsResult.ERROR_INVALID_LIBRARY;
        try
        {
            body(s, CancellationToken.None).GetAwaiter().GetResult();
            return (uint)NtmsResult.ERROR_SUCCESS;
        }
        catch (CleanerException e)
        {
            return (uint)e.Result;
        }
        catch (Exception e) when (CleanerService.Map(e) is { } mapped)
        {
            return (uint)mapped.Result;
        }
    }
}

/// <summary>Deterministic RSM object ids: name-based (SHA-256, version-5 style) GUIDs from the library identity.</summary>
public static class NtmsIds
{
    public static Guid Library(string vendor, string product, string? serial) => Make($"library\n{vendor}\n{product}\n{serial}");

    public static Guid Slot(Guid library, ushort address) => Make($"slot\n{Text(library)}\n{address}");

    /// <summary>Drives are identified by serial number when the library reports one (DVCID), else by element address.</summary>
    public static Guid Drive(Guid library, string? serial, ushort address) =>
        Make(serial is { Length: > 0 } ? $"drive\n{Text(library)}\nserial:{serial}" : $"drive\n{Text(library)}\naddress:{address}");

    /// <summary>
    /// The library id as text, as interpolation formats it, kept for the library asked last: the ids of a library's
    /// 2,000 slots then format it once instead of 2,000 times (3.2 million instructions of `inquiry`, callgrind).
    /// </summary>
    private static string Text(Guid library)
    {
        var last = _lastLibrary;
        if (last is null || last.Id != library) _lastLibrary = last = new LibraryText(library, library.ToString());
        return last.Text;
    }

    private sealed class LibraryText(Guid id, string text)
    {
        public readonly Guid Id = id;
        public readonly string Text = text;
    }

    private static LibraryText? _lastLibrary;

    private static Guid Make(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        StateKeyHash.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16].ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x50);    // version 5 (name-based) in the .NET Guid byte order
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);    // RFC 4122 variant
        return new Guid(bytes);
    }
}
