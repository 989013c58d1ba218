using TapeChanger.Service;

namespace TapeChanger.Server.Api;

/// <summary>
/// Fleet mode: a read of a library's status (status, drives, the console's cleaner view) sent to a service that does
/// not own the library. The owner holds the library's session while it moves (a virtual library's lock, a robot
/// answering BUSY), so a read of the library here would wait behind that move; the owner answers from the status it
/// keeps. The read is passed on once to the owner's <c>Fleet:Url</c> with the caller's token (its answer, status code
/// and body, returned as it came), as the CLI's <c>/api/v1/cli</c> is.
/// <para>The service reads the library itself, for at most <see cref="LocalReadTime"/>, only when the read cannot be
/// passed on: the caller has no token (a Unix-socket caller known by its uid), the read was passed on already (the
/// lease moved meanwhile), the owner's address is not an http(s) URL, or the owner does not answer (no connection within
/// <see cref="OwnerConnectTime"/>, no answer within <see cref="OwnerAnswerTime"/>). Past that bound: 503 naming the
/// owner. A status answer of a non-owner, the owner's or its own, names whose view it is in <see cref="ServedByHeader"/>.</para>
/// </summary>
public static class FleetReads
{
    /// <summary>The owner's connection must be made within this.</summary>
    public static readonly TimeSpan OwnerConnectTime = TimeSpan.FromSeconds(3);

    /// <summary>The owner answers from its kept status in milliseconds; longer than this, it is stuck or its own copy is being read again.</summary>
    public static readonly TimeSpan OwnerAnswerTime = TimeSpan.FromSeconds(10);

    /// <summary>A read of the library here waits at most this for the owner's session (the virtual library's lock alone waits 30 s).</summary>
    public static readonly TimeSpan LocalReadTime = TimeSpan.FromSeconds(5);

    /// <summary>On a non-owner's answer: the fleet name of the service whose view of the library it is.</summary>
    public const string ServedByHeader = "X-TapeChanger-Served-By";

    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        ConnectTimeout = OwnerConnectTime,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),                 // an owner that moved to another address is found again
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>
    /// The answer to a status read of <paramref name="library"/> (its role already checked here): <paramref name="read"/>
    /// here when this service owns it (or nobody does, or the state is not shared), else the owner's answer.
    /// </summary>
    public static async Task<IResult> ReadAsync(HttpContext http, ILibraryService engine, string library, Func<CancellationToken, Task<IResult>> read)
    {
        if (engine.OwnerElsewhere(library) is not { } owner) return await read(http.RequestAborted).ConfigureAwait(false);
        string at = owner.OwnerUrl is { } u ? $"{owner.Owner} at {u}" : owner.Owner;
        string why;
        if (http.Request.Headers[FleetEndpoints.ForwardedHeader].ToString() is { Length: > 0 } by)
            why = $"the read was passed on here by {Http.OneLine(by)} already (the lease moved meanwhile)";
        else if (http.Request.Headers.Authorization.ToString() is not { Length: > 0 } auth)
            why = "the caller has no token to pass on to the owner (a Unix-socket caller is known here by its uid only)";
        else if (owner.OwnerUrl is not { } url || !url.StartsWith("http", StringComparison.Ordinal))
            why = "its address (Fleet:Url) is not an http(s) URL";
        else
        {
            var (answer, failure) = await AskOwnerAsync(http, owner, url, auth).ConfigureAwait(false);
            if (answer is not null) return answer;
            why = failure!;
        }
        return await ReadHereAsync(http, owner, at, why, read).ConfigureAwait(false);
    }

    /// <summary>The owner's answer as it came; or null and why it could not be had.</summary>
    private static async Task<(IResult? Answer, string? Failure)> AskOwnerAsync(HttpContext http, FleetOwner owner, string url, string auth)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url.TrimEnd('/') + http.Request.Path + http.Request.QueryString);
        request.Headers.TryAddWithoutValidation("Authorization", auth);
        request.Headers.Add(FleetEndpoints.ForwardedHeader, owner.Service);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        limit.CancelAfter(OwnerAnswerTime);
        try
        {
            using var response = await Client.SendAsync(request, limit.Token).ConfigureAwait(false);
            byte[] body = await response.Content.ReadAsByteArrayAsync(limit.Token).ConfigureAwait(false);
            http.Response.Headers[ServedByHeader] = owner.Owner;
            string type = response.Content.Headers.ContentType?.ToString() ?? "application/json; charset=utf-8";
            return (Results.Text(body, type, (int)response.StatusCode), null);
        }
        catch (HttpRequestException e)
        {
            return (null, $"{url} cannot be reached ({Http.OneLine(e.Message)})");
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            // Ours (no answer in time) or the handler's connect timeout.
            return (null, limit.IsCancellationRequested
                ? $"it did not answer within {OwnerAnswerTime.TotalSeconds:0} s"
                : $"{url} cannot be reached (no connection within {OwnerConnectTime.TotalSeconds:0} s)");
        }
    }

    /// <summary>The library read here, for at most <see cref="LocalReadTime"/>; past it, 503 naming the owner.</summary>
    private static async Task<IResult> ReadHereAsync(HttpContext http, FleetOwner owner, string at, string why, Func<CancellationToken, Task<IResult>> read)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        // On a thread of its own: opening a library may block before its first await (the virtual library's file lock).
        var reading = Task.Run(() => read(stop.Token), CancellationToken.None);
        // The token stays valid until the read has ended, whenever that is; its end is observed (nobody else awaits it
        // once it has run past the bound).
        _ = reading.ContinueWith(static (t, cts) =>
        {
            _ = t.Exception;
            ((CancellationTokenSource)cts!).Dispose();
        }, stop, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            var result = await reading.WaitAsync(LocalReadTime, http.RequestAborted).ConfigureAwait(false);
            http.Response.Headers[ServedByHeader] = owner.Service;
            return result;
        }
        catch (TimeoutException)
        {
            // The read may still be waiting for the device (a lock that is not cancellable): its end is nobody's answer.
            try { await stop.CancelAsync().ConfigureAwait(false); } catch (ObjectDisposedException) { }
            throw new ApiException(503, $"library {owner.Library} is owned by {at}, and {why}; reading the library here did not finish within " +
                $"{LocalReadTime.TotalSeconds:0} s (the owner holds its session while it moves): try again, or ask {owner.Owner}");
        }
    }
}
