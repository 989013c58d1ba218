using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace TapeChanger.Server.Observability;

/// <summary>
/// The service's counters and histograms, written in the Prometheus text exposition format (version 0.0.4:
/// "# HELP", "# TYPE", one sample a line, label values escaped; histograms as cumulative _bucket{le}, _sum, _count).
/// Hand-written rather than prometheus-net: a few dozen lines, no reflection, nothing for the NativeAOT analysis to flag.
/// </summary>
public sealed class MetricRegistry
{
    private readonly ConcurrentDictionary<string, Family> _families = new(StringComparer.Ordinal);
    private readonly List<Func<IEnumerable<GaugeSample>>> _gauges = [];

    public Counter Counter(string name, string help, params string[] labels) =>
        (Counter)_families.GetOrAdd(name, _ => new Counter(name, help, labels));

    public Histogram Histogram(string name, string help, double[] buckets, params string[] labels) =>
        (Histogram)_families.GetOrAdd(name, _ => new Histogram(name, help, buckets, labels));

    /// <summary>Gauges read when /metrics is asked (queue depth, open operator requests...): name, help, samples.</summary>
    public void Gauge(string name, string help, Func<IEnumerable<(string[] Labels, double Value)>> read, params string[] labels)
    {
        lock (_gauges) _gauges.Add(() => [new GaugeSample(name, help, labels, read().ToList())]);
    }

    public async Task<string> RenderAsync()
    {
        var sb = new StringBuilder();
        foreach (var f in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal)) f.Write(sb);
        List<Func<IEnumerable<GaugeSample>>> gauges;
        lock (_gauges) gauges = [.. _gauges];
        foreach (var g in gauges)
        {
            foreach (var s in g())
            {
                sb.Append("# HELP ").Append(s.Name).Append(' ').Append(s.Help).Append('\n');
                sb.Append("# TYPE ").Append(s.Name).Append(" gauge\n");
                foreach (var (labels, value) in s.Samples) sb.Append(s.Name).Append(Labels(s.LabelNames, labels)).Append(' ').Append(Num(value)).Append('\n');
            }
        }
        await Task.CompletedTask.ConfigureAwait(false);
        return sb.ToString();
    }

    public sealed record GaugeSample(string Name, string Help, string[] LabelNames, IReadOnlyList<(string[] Labels, double Value)> Samples);

    internal static string Labels(string[] names, string[] values, string? extraName = null, string? extraValue = null)
    {
        if (names.Length == 0 && extraName is null) return "";
        var sb = new StringBuilder("{");
        for (int i = 0; i < names.Length; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(names[i]).Append("=\"").Append(Escape(i < values.Length ? values[i] : "")).Append('"');
        }
        if (extraName is not null)
        {
            if (names.Length > 0) sb.Append(',');
            sb.Append(extraName).Append("=\"").Append(extraValue).Append('"');
        }
        return sb.Append('}').ToString();
    }

    private static string Escape(string v) => v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    internal static string Num(double v) => double.IsPositiveInfinity(v) ? "+Inf" : v.ToString("R", CultureInfo.InvariantCulture);

    public abstract class Family(string name, string help, string[] labels)
    {
        public string Name { get; } = name;
        public string Help { get; } = help;
        public string[] LabelNames { get; } = labels;
        public abstract void Write(StringBuilder sb);
    }
}

public sealed class Counter(string name, string help, string[] labels) : MetricRegistry.Family(name, help, labels)
{
    private readonly ConcurrentDictionary<string, (string[] Values, long[] Count)> _samples = new(StringComparer.Ordinal);

    public void Inc(params string[] values)
    {
        var s = _samples.GetOrAdd(string.Join('\u0001', values), _ => (values, new long[1]));
        Interlocked.Increment(ref s.Count[0]);
    }

    public long Get(params string[] values) => _samples.TryGetValue(string.Join('\u0001', values), out var s) ? Interlocked.Read(ref s.Count[0]) : 0;

    public override void Write(StringBuilder sb)
    {
        sb.Append("# HELP ").Append(Name).Append(' ').Append(Help).Append('\n').Append("# TYPE ").Append(Name).Append(" counter\n");
        foreach (var s in _samples.Values.OrderBy(v => string.Join(',', v.Values), StringComparer.Ordinal))
            sb.Append(Name).Append(MetricRegistry.Labels(LabelNames, s.Values)).Append(' ').Append(Interlocked.Read(ref s.Count[0])).Append('\n');
    }
}

public sealed class Histogram(string name, string help, double[] buckets, string[] labels) : MetricRegistry.Family(name, help, labels)
{
    private sealed class Sample(string[] values, int buckets)
    {
        public readonly string[] Values = values;
        public readonly long[] Counts = new long[buckets];
        public long Count;
        public double Sum;
    }

    private readonly ConcurrentDictionary<string, Sample> _samples = new(StringComparer.Ordinal);

    public void Observe(double value, params string[] values)
    {
        var s = _samples.GetOrAdd(string.Join('\u0001', values), _ => new Sample(values, buckets.Length));
        lock (s)
        {
            for (int i = 0; i < buckets.Length; i++) if (value <= buckets[i]) s.Counts[i]++;
            s.Count++;
            s.Sum += value;
        }
    }

    public override void Write(StringBuilder sb)
    {
        sb.Append("# HELP ").Append(Name).Append(' ').Append(Help).Append('\n').Append("# TYPE ").Append(Name).Append(" histogram\n");
        foreach (var s in _samples.Values.OrderBy(v => string.Join(',', v.Values), StringComparer.Ordinal))
        {
            lock (s)
            {
                for (int i = 0; i < buckets.Length; i++)
                    sb.Append(Name).Append("_bucket").Append(MetricRegistry.Labels(LabelNames, s.Values, "le", MetricRegistry.Num(buckets[i]))).Append(' ').Append(s.Counts[i]).Append('\n');
                sb.Append(Name).Append("_bucket").Append(MetricRegistry.Labels(LabelNames, s.Values, "le", "+Inf")).Append(' ').Append(s.Count).Append('\n');
                sb.Append(Name).Append("_sum").Append(MetricRegistry.Labels(LabelNames, s.Values)).Append(' ').Append(MetricRegistry.Num(s.Sum)).Append('\n');
                sb.Append(Name).Append("_count").Append(MetricRegistry.Labels(LabelNames, s.Values)).Append(' ').Append(s.Count).Append('\n');
            }
        }
    }
}
