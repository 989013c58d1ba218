using System.Diagnostics;
using System.Globalization;
using TapeChanger.Fuzz;

// tapechanger-fuzz: runs every decoder on random and mutated inputs and checks, per case, that it returns or throws
// only its typed exception, finishes within the watchdog limit and allocates within a bound. See README "Fuzzing".
return FuzzProgram.Run(args);

namespace TapeChanger.Fuzz
{
    internal static class FuzzProgram
    {
        private const ulong DefaultSeed = 20261124;

        public static int Run(string[] args)
        {
            ulong seed = DefaultSeed;
            int cases = 100_000;
            int? only = null;
            int timeoutMs = 2000;
            int threads = Math.Max(1, Environment.ProcessorCount);
            string? fixtures = null;
            var names = new List<string>();
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--seed": seed = ulong.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--cases": cases = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--case": only = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--target": names.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                    case "--fixtures": fixtures = Next(); break;
                    case "--timeout-ms": timeoutMs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--list":
                        foreach (var t in Targets.All) Console.WriteLine($"{t.Name,-18} only {t.Allowed.Name}");
                        return 0;
                    default:
                        Console.Error.WriteLine($"tapechanger-fuzz: unknown argument '{args[i]}'");
                        Console.Error.WriteLine("usage: tapechanger-fuzz [--seed N] [--cases N] [--target NAME[,NAME]] [--case INDEX] [--fixtures DIR] [--timeout-ms MS] [--threads N] [--list]");
                        return 64;
                }
            }
            var unknown = names.Where(n => Targets.All.All(t => t.Name != n)).ToList();
            if (unknown.Count > 0)
            {
                Console.Error.WriteLine($"tapechanger-fuzz: unknown target(s) {string.Join(", ", unknown)}; --list shows them");
                return 64;
            }
            var selected = names.Count == 0 ? Targets.All : Targets.All.Where(t => names.Contains(t.Name)).ToArray();
            var corpus = new Corpus(fixtures ?? FindFixtures());

            Console.WriteLine($"tapechanger-fuzz: seed {seed}, {cases} case(s) per target, {selected.Length} target(s), watchdog {timeoutMs} ms, " +
                $"{corpus.FileNames.Count} capture(s); reproduce one case with: tools/fuzz.sh --seed {seed} --target NAME --case INDEX");

            if (only is int index)
            {
                int bad = 0;
                foreach (var t in selected) bad += new Runner(t, corpus, seed).Replay(index) ? 0 : 1;
                return bad == 0 ? 0 : 1;
            }

            var runners = selected.Select(t => new Runner(t, corpus, seed)).ToArray();
            using var watchdog = new Watchdog(runners, TimeSpan.FromMilliseconds(timeoutMs));
            var total = Stopwatch.StartNew();
            var queue = new System.Collections.Concurrent.ConcurrentQueue<Runner>(runners);
            var workers = Enumerable.Range(0, Math.Min(threads, runners.Length)).Select(_ => new Thread(() =>
            {
                while (queue.TryDequeue(out var r)) r.Run(cases);
            }) { IsBackground = true }).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());

            Console.WriteLine();
            Console.WriteLine($"{"target",-18} {"cases",8} {"returned",9}  {"typed exceptions",-28} {"max alloc",10} {"(bound)",11} {"max time",9} {"cases/s",9}");
            foreach (var r in runners) Console.WriteLine(r.Summary());
            int violations = runners.Sum(r => r.Violations);
            long all = runners.Sum(r => (long)r.Cases);
            Console.WriteLine($"fuzz: {all} case(s) over {runners.Length} target(s) in {total.Elapsed.TotalSeconds:F1} s, {violations} violation(s), seed {seed}");
            return violations == 0 ? 0 : 1;
        }

        /// <summary>tests/Fixtures, searched upward from the binary (tools/TapeChanger.Fuzz/bin/Release/net10.0/).</summary>
        private static string FindFixtures()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tests", "Fixtures");
                if (Directory.Exists(candidate)) return candidate;
            }
            throw new DirectoryNotFoundException("tests/Fixtures not found above the fuzz binary; pass --fixtures DIR");
        }
    }

    /// <summary>Runs one target's cases and keeps its figures. Each case's input depends only on (seed, target, index).</summary>
    internal sealed class Runner(Target target, Corpus corpus, ulong seed)
    {
        private const int MaxReported = 5;
        private readonly IReadOnlyList<byte[]> _seeds = target.Seeds(corpus);
        private readonly IReadOnlyList<byte[]> _everything = corpus.Everything;
        private readonly Dictionary<string, int> _exceptions = [];
        private long _maxAlloc, _maxAllocBound;
        private double _maxMs;
        private double _seconds;

        public Target Target => target;
        public ulong Seed => seed;
        public int Cases { get; private set; }
        public int Returned { get; private set; }
        public int Violations { get; private set; }

        // Read by the watchdog thread.
        public long CaseStarted;          // Stopwatch timestamp, 0 when idle
        public volatile int CurrentCase;
        public volatile byte[]? CurrentInput;

        public byte[] Input(int index)
        {
            var rnd = new Random(CaseSeed(index));
            if (rnd.Next(100) < 35 || _seeds.Count == 0) return target.Random(rnd);
            var pool = rnd.Next(5) == 0 ? _everything : _seeds;             // now and then another decoder's capture
            return Mutator.Mutate(rnd, pool[rnd.Next(pool.Count)], _everything[rnd.Next(_everything.Count)]);
        }

        /// <summary>SplitMix64 over (seed, FNV-1a of the target name, index): stable across runs and platforms.</summary>
        private int CaseSeed(int index)
        {
            ulong h = 14695981039346656037UL;
            foreach (char c in target.Name) h = (h ^ c) * 1099511628211UL;
            ulong z = seed ^ h ^ ((ulong)(uint)index << 1) ^ 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
        }

        public void Run(int cases)
        {
            // Warm-up on the unmutated seeds: JIT and static tables (ASC/ASCQ) allocate once, outside the measured cases.
            for (int k = 0; k < _seeds.Count; k++)
            {
                try { target.Run(_seeds[k]); }
                catch (Exception e) when (e.GetType() == target.Allowed) { }
                catch (Exception e) { Report($"seed input {k}", _seeds[k], $"threw {e.GetType().FullName} on an unmutated seed: {e}"); }
            }
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < cases; i++) Check(i, Input(i));
            _seconds = sw.Elapsed.TotalSeconds;
        }

        /// <summary>--case: rebuilds one input, prints it and the outcome.</summary>
        public bool Replay(int index)
        {
            var input = Input(index);
            Console.WriteLine($"{target.Name} case {index}: {input.Length} byte(s)\n{Hex(input)}");
            int before = Violations;
            Check(index, input);
            if (Violations == before) Console.WriteLine($"{target.Name} case {index}: ok, {(Returned > 0 ? "returned" : "threw " + string.Join(", ", _exceptions.Keys))}");
            return Violations == before;
        }

        private void Check(int index, byte[] input)
        {
            Cases++;
            CurrentCase = index;
            CurrentInput = input;
            long bound = target.AllocationBound(input.Length);
            Exception? failure = null;
            long start = Stopwatch.GetTimestamp();
            Volatile.Write(ref CaseStarted, start);
            long allocBefore = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                target.Run(input);
                Returned++;
            }
            catch (Exception e) when (e.GetType() == target.Allowed)
            {
                _exceptions[e.GetType().Name] = _exceptions.GetValueOrDefault(e.GetType().Name) + 1;
            }
            catch (Exception e)
            {
                failure = e;
            }
            long alloc = GC.GetAllocatedBytesForCurrentThread() - allocBefore;
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            Volatile.Write(ref CaseStarted, 0);
            if (alloc > _maxAlloc) (_maxAlloc, _maxAllocBound) = (alloc, bound);
            _maxMs = Math.Max(_maxMs, ms);
            if (failure is not null) Report($"case {index}", input, $"threw {failure.GetType().FullName} (only {target.Allowed.Name} is allowed): {failure}");
            if (alloc > bound) Report($"case {index}", input, $"allocated {alloc} bytes on a {input.Length}-byte input (bound {bound})");
        }

        private void Report(string which, byte[] input, string what)
        {
            Violations++;
            if (Violations > MaxReported) return;
            lock (Console.Out)
            {
                Console.WriteLine($"VIOLATION {target.Name} seed {seed} {which}: {what}");
                if (which.StartsWith("case ", StringComparison.Ordinal))
                    Console.WriteLine($"  reproduce: tools/fuzz.sh --seed {seed} --target {target.Name} --{which}");
                Console.WriteLine($"  input ({input.Length} bytes): {Hex(input)}");
            }
        }

        public static string Hex(byte[] b) => b.Length <= 2048 ? Convert.ToHexString(b) : Convert.ToHexString(b, 0, 2048) + $"... ({b.Length - 2048} more bytes; --case rebuilds the whole input)";

        public string Summary()
        {
            string ex = _exceptions.Count == 0 ? "-" : string.Join(", ", _exceptions.Select(e => $"{e.Key} {e.Value}"));
            return $"{target.Name,-18} {Cases,8} {Returned,9}  {ex,-28} {Size(_maxAlloc),10} {"(" + Size(_maxAllocBound) + ")",11} {_maxMs,6:F2} ms {Cases / Math.Max(_seconds, 1e-9),9:F0}"
                + (Violations > 0 ? $"  {Violations} VIOLATION(S)" : "");
        }

        private static string Size(long b) => b >= 1 << 20 ? $"{b / 1048576.0:F1} MiB" : b >= 1024 ? $"{b / 1024.0:F1} KiB" : $"{b} B";
    }

    /// <summary>Flags a case that runs longer than the limit. A hung decoder cannot be aborted, so the process exits.</summary>
    internal sealed class Watchdog : IDisposable
    {
        private readonly Timer _timer;

        public Watchdog(IReadOnlyList<Runner> runners, TimeSpan limit)
        {
            _timer = new Timer(_ =>
            {
                foreach (var r in runners)
                {
                    long started = Volatile.Read(ref r.CaseStarted);
                    if (started == 0 || Stopwatch.GetElapsedTime(started) <= limit) continue;
                    var input = r.CurrentInput ?? [];
                    lock (Console.Out)
                    {
                        Console.WriteLine($"VIOLATION {r.Target.Name} seed {r.Seed} case {r.CurrentCase}: still running after {limit.TotalMilliseconds} ms (hang)");
                        Console.WriteLine($"  reproduce: tools/fuzz.sh --seed {r.Seed} --target {r.Target.Name} --case {r.CurrentCase}");
                        Console.WriteLine($"  input ({input.Length} bytes): {Runner.Hex(input)}");
                        Console.Out.Flush();
                    }
                    Environment.Exit(3);
                }
            }, null, 100, 100);
        }

        public void Dispose() => _timer.Dispose();
    }
}
