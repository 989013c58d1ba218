using System.Diagnostics;
using System.Globalization;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Benchmarks;

/// <summary>
/// The decodes of <see cref="ElementStatusDecodeBenchmarks"/> timed by the process's CPU time (user + system, every
/// thread, so the garbage collector's work is counted wherever it runs). On a machine shared with other jobs,
/// elapsed time includes the time the thread waits for a core; CPU time mostly does not. Each size: a warm-up, then
/// <c>rounds</c> rounds of about 4 million descriptors; the best round is reported with the collections per 1,000
/// decodes over all rounds.
/// </summary>
public static class CpuTimeRun
{
    public static int Run(int rounds)
    {
        Console.WriteLine($"GC: server {System.Runtime.GCSettings.IsServerGC}, gen0 budget {AppContext.GetData("GCgen0size") ?? Environment.GetEnvironmentVariable("DOTNET_GCgen0size") ?? "default"}, LOH threshold {AppContext.GetData("GCLOHThreshold") ?? Environment.GetEnvironmentVariable("DOTNET_GCLOHThreshold") ?? "default"}");
        Console.WriteLine("| elements | CPU µs per decode (best round) | M descriptors/s | bytes/descriptor | gen0 / gen1 / gen2 per 1,000 decodes |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (int n in new[] { 100, 1_000, 10_000, 50_000 })
        {
            var bench = new ElementStatusDecodeBenchmarks { Elements = n };
            bench.Setup();
            int perRound = Math.Max(20, 4_000_000 / n);
            for (int i = 0; i < perRound / 2; i++) bench.WholeLibrary();
            using var process = Process.GetCurrentProcess();
            double best = double.MaxValue;
            int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            for (int round = 0; round < rounds; round++)
            {
                process.Refresh();
                TimeSpan start = process.TotalProcessorTime;
                for (int i = 0; i < perRound; i++) bench.WholeLibrary();
                process.Refresh();
                best = Math.Min(best, (process.TotalProcessorTime - start).TotalMicroseconds / perRound);
            }
            double decodes = (double)rounds * perRound;
            double bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / decodes / n;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {n:N0} | {best:F1} | {n / best:F1} | {bytes:F1} | {1000 * (GC.CollectionCount(0) - g0) / decodes:F0} / {1000 * (GC.CollectionCount(1) - g1) / decodes:F0} / {1000 * (GC.CollectionCount(2) - g2) / decodes:F0} |"));
        }
        return 0;
    }
}
