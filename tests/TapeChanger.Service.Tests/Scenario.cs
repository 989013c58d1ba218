using TapeChanger.Cleaning;
using TapeChanger.Domain;

namespace TapeChanger.Service.Tests;

/// <summary>
/// The mixed load: clients each submitting requests one after another (load, unload, transfer, status, inventory, a
/// cleaning) through one engine, and the checks every run must pass: every request final with a reason, never two
/// robot commands at once, and the cartridges conserved: the MOVE MEDIUMs the transport saw, replayed on the first
/// status, give the last one.
/// </summary>
public static class Scenario
{
    public static readonly Caller Client = new("test-client", CallerRole.Operator, 1000);

    public sealed record Result(List<RequestRecord> Requests, int StatusReads);

    public static async Task<Result> RunMixedAsync(ILibraryService engine, string library, int clients, int perClient, int slots, int drives, Func<int, RequestSpec?>? cleaning = null)
    {
        int statusReads = 0;
        var all = new List<RequestRecord>();
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var rng = new Random(4242 + c);
            var mine = new List<RequestRecord>();
            for (int i = 0; i < perClient; i++)
            {
                int roll = rng.Next(100);
                RequestSpec? spec = (c, i) switch
                {
                    _ when i == perClient / 2 && cleaning?.Invoke(c) is { } clean => clean,
                    _ when roll < 30 => new RequestSpec(RequestKind.Load) { Arguments = new() { Slot = rng.Next(1, slots + 1), Drive = rng.Next(drives) } },
                    _ when roll < 55 => new RequestSpec(RequestKind.Unload) { Arguments = new() { Drive = rng.Next(drives) } },
                    _ when roll < 77 => new RequestSpec(RequestKind.Transfer) { Arguments = new() { Slot = rng.Next(1, slots + 1), ToSlot = rng.Next(1, slots + 1) } },
                    _ when roll < 95 => null,
                    _ => new RequestSpec(RequestKind.Inventory),
                };
                if (spec is null)
                {
                    var snap = await engine.GetStatusAsync(library);
                    Assert.True(snap.Online, snap.Problem);
                    Assert.NotNull(snap.Status);
                    Interlocked.Increment(ref statusReads);
                    continue;
                }
                var queued = await engine.SubmitAsync(library, spec with { Priority = rng.Next(-2, 3) }, Client with { Name = $"client{c}" });
                mine.Add(await engine.FinalAsync(queued.Id, seconds: 120));
            }
            lock (all) all.AddRange(mine);
        })).ToArray();
        await Task.WhenAll(tasks);
        return new Result(all, statusReads);
    }

    /// <summary>Every request Passed or Failed, a failure with its RSM code and reason, a pass with what it did.</summary>
    public static void AssertEveryRequestEnded(IEnumerable<RequestRecord> requests)
    {
        foreach (var r in requests)
        {
            Assert.True(r.State is RequestState.Passed or RequestState.Failed, $"{r.Kind} {r.Id} ended {r.State}: {r.Message}");
            Assert.False(string.IsNullOrWhiteSpace(r.Message), $"{r.Kind} {r.Id} ended {r.State} without a message");
            Assert.Equal(r.State == RequestState.Passed, r.Result == NtmsResult.ERROR_SUCCESS);
            Assert.NotNull(r.Started);
            Assert.NotNull(r.Completed);
        }
    }

    /// <summary>The good MOVE MEDIUMs, replayed in order on <paramref name="before"/>, each from a full element to an empty one, give <paramref name="after"/>.</summary>
    public static void AssertConserved(Dictionary<ushort, string> before, IEnumerable<RobotCommand> moves, Dictionary<ushort, string> after)
    {
        var state = new Dictionary<ushort, string>(before);
        foreach (var m in moves.Where(m => m.Status == TapeChanger.Scsi.ScsiStatus.Good))
        {
            Assert.True(state.Remove(m.Source, out var barcode), $"move #{m.Order} from empty element {m.Source}");
            Assert.False(state.ContainsKey(m.Destination), $"move #{m.Order} into full element {m.Destination}");
            state[m.Destination] = barcode;
        }
        Assert.Equal(before.Values.Order(), after.Values.Order());
        Assert.Equal(state.OrderBy(p => p.Key), after.OrderBy(p => p.Key));
    }
}
