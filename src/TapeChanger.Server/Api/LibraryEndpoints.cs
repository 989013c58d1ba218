using TapeChanger.Access;
using TapeChanger.Cleaning;
using TapeChanger.Cli.Output;
using TapeChanger.Service;

namespace TapeChanger.Server.Api;

/// <summary>/api/v1/libraries...: the libraries, their kept status and drives, moves, inventory and the cleaner functions.</summary>
public static class LibraryEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1");
        v1.MapGet("/libraries", (HttpContext http, ILibraryService engine) =>
        {
            Http.Require(http, AccessRole.Viewer);
            return Results.Json(new LibrariesView(engine.Libraries.Select(View).ToList()), ApiJsonContext.Default.LibrariesView);
        });
        v1.MapGet("/libraries/{name}", (HttpContext http, string name, ILibraryService engine) =>
        {
            Http.Require(http, AccessRole.Viewer);
            return Results.Json(View(engine.GetLibrary(Http.LibraryName(name))), ApiJsonContext.Default.LibraryView);
        });
        // Fleet mode: a service that does not own the library passes these reads on to its owner (FleetReads).
        v1.MapGet("/libraries/{name}/status", (HttpContext http, string name, ILibraryService engine) =>
        {
            Http.Require(http, AccessRole.Viewer);
            return FleetReads.ReadAsync(http, engine, Http.LibraryName(name), async ct =>
            {
                var snap = await engine.GetStatusAsync(name, ct);
                return Results.Bytes(StatusJson(snap), "application/json; charset=utf-8");
            });
        });
        v1.MapGet("/libraries/{name}/drives", (HttpContext http, string name, ILibraryService engine) =>
        {
            Http.Require(http, AccessRole.Viewer);
            return FleetReads.ReadAsync(http, engine, Http.LibraryName(name), async ct =>
            {
                var snap = await engine.GetStatusAsync(name, ct);
                var drives = snap.Status?.Elements.Where(e => e.Drive is not null)
                    .Select(e => new DriveView(e.Drive!.Value, e.Address, e.Full, e.Barcode, e.Source is { } s ? snap.Status.Elements.FirstOrDefault(x => x.Address == s)?.Slot : null,
                        e.Identifier, snap.DrivesNeedingCleaning.Contains(e.Drive.Value))).ToList() ?? [];
                return Results.Json(new DrivesView(snap.Library.Name, drives), ApiJsonContext.Default.DrivesView);
            });
        });
        v1.MapPost("/libraries/{name}/moves", (HttpContext http, string name, ILibraryService engine, Auditor audit) =>
            audit.RunAsync(http, AccessRole.Operator, "move", name, async caller =>
            {
                Http.LibraryName(name);
                var body = await Http.BodyAsync(http, ApiJsonContext.Default.MoveBody);
                var spec = MoveSpec(body);
                return await SubmitAsync(http, engine, name, spec, caller, body.Wait ?? true);
            }));
        v1.MapPost("/libraries/{name}/inventory", (HttpContext http, string name, ILibraryService engine, Auditor audit) =>
            audit.RunAsync(http, AccessRole.Operator, "inventory", name, caller =>
                SubmitAsync(http, engine, Http.LibraryName(name), new RequestSpec(RequestKind.Inventory), caller, Wait(http))));
        foreach (var (action, kind) in new[] { ("lock", RequestKind.IePortLock), ("unlock", RequestKind.IePortUnlock) })
        {
            // PREVENT / ALLOW MEDIUM REMOVAL on the import/export elements (SMC-3 §6.10): the mail slots stay shut while locked.
            v1.MapPost("/libraries/{name}/ieport/" + action, (HttpContext http, string name, ILibraryService engine, Auditor audit) =>
                audit.RunAsync(http, AccessRole.Operator, "ieport " + action, name, caller =>
                    SubmitAsync(http, engine, Http.LibraryName(name), new RequestSpec(kind), caller, Wait(http))));
        }
        v1.MapPost("/libraries/{name}/drives/{drive:int}/clean", (HttpContext http, string name, int drive, ILibraryService engine, Auditor audit) =>
            audit.RunAsync(http, AccessRole.Operator, "clean", $"{name} drive {drive}", caller =>
            {
                Http.LibraryName(name);
                if (drive is < 0 or > 4095) throw new ApiException(400, "drive must be 0 to 4095");
                var spec = new RequestSpec(RequestKind.Clean) { Arguments = new RequestArguments { Drive = drive, UnloadFirst = http.Request.Query["unloadFirst"] == "true" } };
                return SubmitAsync(http, engine, name, spec, caller, Wait(http));
            }));
        v1.MapPost("/libraries/{name}/cleaner/{action}", (HttpContext http, string name, string action, ILibraryService engine, Auditor audit) =>
        {
            var (kind, role) = action switch
            {
                "reserve" => (RequestKind.CleanerReserve, AccessRole.Admin),
                "release" => (RequestKind.CleanerRelease, AccessRole.Admin),
                "inject" => (RequestKind.CleanerInject, AccessRole.Operator),
                "eject" => (RequestKind.CleanerEject, AccessRole.Operator),
                _ => throw new ApiException(404, $"no cleaner function '{(action.Length > 32 ? action[..32] : action)}' (reserve, release, inject, eject)"),
            };
            return audit.RunAsync(http, role, "cleaner " + action, name, async caller =>
            {
                Http.LibraryName(name);
                var body = http.Request.ContentLength is 0 or null && !http.Request.Headers.ContainsKey("Transfer-Encoding")
                    ? new CleanerBody() : await Http.BodyAsync(http, ApiJsonContext.Default.CleanerBody);
                if (body.Slot is < 1 or > 65535) throw new ApiException(400, "slot must be 1 to 65535");
                if (body.TimeoutSeconds is < 0 or > 86400) throw new ApiException(400, "timeoutSeconds must be 0 to 86400");
                CleanerPath via = body.Via?.ToLowerInvariant() switch
                {
                    null or "auto" => CleanerPath.Auto,
                    "ieport" or "mailslot" => CleanerPath.IePort,
                    "door" => CleanerPath.Door,
                    _ => throw new ApiException(400, "via must be auto, ieport or door"),
                };
                var spec = new RequestSpec(kind)
                {
                    Arguments = new RequestArguments { Slot = body.Slot, CleansLeft = body.CleansLeft, Via = via, TimeoutSeconds = body.TimeoutSeconds },
                };
                return await SubmitAsync(http, engine, name, spec, caller, body.Wait ?? true);
            });
        });
    }

    private static bool Wait(HttpContext http) => http.Request.Query["wait"] != "false";

    internal static RequestSpec MoveSpec(MoveBody body)
    {
        static int? Slot(int? s, string what) => s is null or (>= 1 and <= 65535) ? s : throw new ApiException(400, $"{what} must be 1 to 65535");
        if (body.Drive is < 0 or > 4095) throw new ApiException(400, "drive must be 0 to 4095");
        if (body.Element is < 0 or > 65535) throw new ApiException(400, "element must be an element address 0 to 65535");
        if (body.Priority is < RequestSpec.LowestPriority or > RequestSpec.HighestPriority) throw new ApiException(400, "priority must be -15 to 15");
        var kind = body.Kind?.ToLowerInvariant() switch
        {
            "load" => RequestKind.Load,
            "unload" => RequestKind.Unload,
            "transfer" => RequestKind.Transfer,
            "import" => RequestKind.Import,
            "export" => RequestKind.Export,
            null => throw new ApiException(400, "kind is missing (load, unload, transfer, import, export)"),
            _ => throw new ApiException(400, "kind must be load, unload, transfer, import or export"),
        };
        var args = new RequestArguments
        {
            Slot = Slot(body.Slot, "slot"),
            ToSlot = Slot(body.ToSlot, "toSlot"),
            Drive = body.Drive,
            Element = body.Element is { } e ? (ushort)e : null,
        };
        switch (kind)
        {
            case RequestKind.Load when args.Slot is null: throw new ApiException(400, "load needs slot");
            case RequestKind.Transfer when args.Slot is null || args.ToSlot is null: throw new ApiException(400, "transfer needs slot and toSlot");
            case RequestKind.Export when args.Slot is null: throw new ApiException(400, "export needs slot");
        }
        return new RequestSpec(kind) { Arguments = args, Priority = body.Priority };
    }

    /// <summary>Queues the request; waits for its end unless told not to (202 with the queued request then).</summary>
    internal static async Task<(IResult, string)> SubmitAsync(HttpContext http, ILibraryService engine, string library, RequestSpec spec, Security.ApiCaller caller, bool wait)
    {
        var queued = await engine.SubmitAsync(library, spec, Http.ToService(caller), http.RequestAborted);
        if (!wait) return (Results.Json(queued, ApiJsonContext.Default.RequestRecord, statusCode: 202), $"queued {queued.Id}");
        var done = await engine.WaitAsync(queued.Id, http.RequestAborted);
        int status = done.State == RequestState.Passed ? 200 : 409;
        return (Results.Json(done, ApiJsonContext.Default.RequestRecord, statusCode: status), $"{done.State} {done.Id}: {done.Result}{(done.Message is null ? "" : " " + done.Message)}");
    }

    internal static LibraryView View(LibraryInfo l) => new(l.Name, l.DeviceUri, l.IsDefault, l.AutoCleaning);

    private sealed record CachedStatus(LibrarySnapshot Snapshot, byte[] Json);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, CachedStatus> StatusCache = new(StringComparer.Ordinal);

    /// <summary>
    /// The status document as UTF-8 JSON, serialized once per change of the kept map (status is what clients poll:
    /// the same map is not turned into JSON again for every request).
    /// </summary>
    internal static byte[] StatusJson(LibrarySnapshot snap)
    {
        if (StatusCache.TryGetValue(snap.Library.Name, out var c) && Same(c.Snapshot, snap)) return c.Json;
        byte[] json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(StatusOf(snap), ApiJsonContext.Default.StatusView);
        StatusCache[snap.Library.Name] = new CachedStatus(snap, json);
        return json;
    }

    private static bool Same(LibrarySnapshot a, LibrarySnapshot b) =>
        ReferenceEquals(a.Status, b.Status) && a.Library == b.Library && a.ReadAt == b.ReadAt && a.Online == b.Online && a.Problem == b.Problem
        && a.QueueDepth == b.QueueDepth && a.Magazines == b.Magazines && a.DrivesNeedingCleaning.SequenceEqual(b.DrivesNeedingCleaning);

    internal static StatusView StatusOf(LibrarySnapshot snap)
    {
        StatusDocument? doc = null;
        if (snap.Status is { } s)
        {
            var id = s.Identity;
            doc = new StatusDocument(snap.Library.DeviceUri, new LibraryJson(id.Vendor, id.Product, id.Revision, id.SerialNumber),
                JsonMapper.ToJson(s.Map), s.Elements.Select(e => JsonMapper.ToJson(e, s.Map)).ToList());
        }
        int storage = snap.Status?.OfType(TapeChanger.Scsi.ElementType.Storage).Count() ?? 0;
        var magazines = snap.Magazines.For(storage).Select(m => new MagazineView(m.Number, m.Name, m.FirstSlot, m.FirstSlot + m.Slots - 1, m.Slots)).ToList();
        return new StatusView(snap.Library.Name, snap.Online, snap.Problem, snap.ReadAt, snap.QueueDepth, snap.DrivesNeedingCleaning, doc)
        {
            Magazines = magazines,
            MagazineSource = snap.Magazines.Source,
        };
    }
}
