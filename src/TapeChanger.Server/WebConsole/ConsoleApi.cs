using System.Text.Json.Serialization;
using TapeChanger.Access;
using TapeChanger.Cleaning;
using TapeChanger.Server.Api;
using TapeChanger.Service;

namespace TapeChanger.Server.WebConsole;

/// <summary>
/// Two read-only calls the console needs and the API did not have: who the caller is (the console shows actions by
/// role) and a library's cleaner (reserved slot, cartridge, cleans left, the cleanings done: the plots).
/// </summary>
public static class ConsoleApi
{
    /// <summary>Cleanings returned at most (the newest).</summary>
    public const int HistoryLimit = 500;

    public static void Map(IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1");
        v1.MapGet("/whoami", (HttpContext http, ILibraryService engine) =>
        {
            var c = Http.Require(http, AccessRole.Viewer);
            // fleet: the service is in a fleet, so GET /api/v1/fleet answers (the console asks it only then).
            return Results.Json(new WhoAmIView(c.Name, AccessRoles.Name(c.Role), c.Via, engine.GetFleet() is not null), ConsoleJsonContext.Default.WhoAmIView);
        });
        // Fleet mode: a service that does not own the library passes the read on to its owner (FleetReads).
        v1.MapGet("/libraries/{name}/cleaner", (HttpContext http, string name, ILibraryService engine, ServerState state) =>
        {
            Http.Require(http, AccessRole.Viewer);
            return FleetReads.ReadAsync(http, engine, Http.LibraryName(name), async ct =>
            {
                var snap = await engine.GetStatusAsync(name, ct);
                if (snap.Status?.Identity is not { } id)
                    throw new ApiException(503, $"library '{snap.Library.Name}' has not been read yet: {snap.Problem ?? "no status"}");
                return Results.Json(ViewOf(snap.Library.Name, Peek(state.StateDirectory, snap.Library.DeviceUri, id)), ConsoleJsonContext.Default.CleanerView);
            });
        });
    }

    /// <summary>
    /// The library's cleaner state, read-only. It is keyed by vendor, product and serial; the kept status may lack the
    /// serial (it costs an INQUIRY of VPD page 80h), so the library is found the way the data commands find their
    /// reservation: the state database's device index (device URI to library key), then its libraries row.
    /// </summary>
    /// <summary>The library's cleaner state, read-only (the kept status may lack the serial: see <see cref="ReservationIndex.PeekAt"/>).</summary>
    internal static CleanerState? Peek(string stateDirectory, string device, TapeChanger.Domain.LibraryIdentity id) =>
        ReservationIndex.PeekAt(stateDirectory, device, id.Vendor, id.Product, id.SerialNumber);

    internal static CleanerView ViewOf(string library, CleanerState? s)
    {
        static uint? Count(uint n) => n == CleanerService.Unlimited ? null : n;
        var reserved = s?.Reservation is { } r ? new CleanerSlotView(r.Slot, r.Address, r.ReservedAt) : null;
        var cleaner = s?.Cleaner is { } c
            ? new CleanerCartridgeView(c.Barcode, Count(c.CleansLeft), c.CleansLeft == CleanerService.Unlimited, c.TimesUsed, c.InjectedAt, c.SpentReason)
            : null;
        var history = (s?.DriveHistory ?? []).SelectMany(kv => kv.Value.Select(h =>
                new CleaningView(h.At, h.Drive, h.Address, kv.Key, h.CleanerBarcode, Count(h.CleansLeftAfter), h.Outcome)))
            .OrderBy(h => h.At).TakeLast(HistoryLimit).ToList();
        var pending = (s?.PendingCleaning ?? []).Select(kv => new PendingCleaningView(kv.Value.Drive, kv.Value.Address, kv.Key, kv.Value.Reason, kv.Value.Since))
            .OrderBy(p => p.Drive).ToList();
        return new CleanerView(library, reserved, cleaner, history, pending);
    }
}

public sealed record WhoAmIView(string Name, string Role, string Via, bool Fleet);

public sealed record CleanerSlotView(int Slot, int Address, DateTimeOffset ReservedAt);

/// <summary>The cleaner in the reserved slot; <c>cleansLeft</c> is absent when not counted (<c>unlimited</c>).</summary>
public sealed record CleanerCartridgeView(string? Barcode, uint? CleansLeft, bool Unlimited, int TimesUsed, DateTimeOffset InjectedAt, string? SpentReason);

/// <summary>One cleaning of a drive (drive key: its serial, else "element:ADDR").</summary>
public sealed record CleaningView(DateTimeOffset At, int Drive, int Address, string DriveKey, string? CleanerBarcode, uint? CleansLeftAfter, string Outcome);

public sealed record PendingCleaningView(int Drive, int Address, string DriveKey, string Reason, DateTimeOffset Since);

public sealed record CleanerView(string Library, CleanerSlotView? Reserved, CleanerCartridgeView? Cleaner,
    IReadOnlyList<CleaningView> History, IReadOnlyList<PendingCleaningView> Pending);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WhoAmIView))]
[JsonSerializable(typeof(CleanerView))]
public sealed partial class ConsoleJsonContext : JsonSerializerContext;
