using BenchmarkDotNet.Attributes;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Benchmarks;

/// <summary>
/// READ ELEMENT STATUS decoding of a whole library per invocation; tools/bench.sh divides the mean and the
/// allocation by the element count (50 ns a descriptor is 20 million descriptors a second).
/// </summary>
[MemoryDiagnoser]
public class ElementStatusDecodeBenchmarks
{
    [Params(100, 1_000, 10_000, 50_000)]
    public int Elements { get; set; }

    private byte[] _data = [];
    private int _count;

    [GlobalSetup]
    public void Setup()
    {
        int drives = Math.Max(1, Elements / 125);
        int ie = Math.Max(1, Elements / 30);
        int storage = Elements - drives - ie - 1;
        _data = ElementStatusImage.Build(storage, ie, drives);
        _count = ElementStatusDecoder.Decode(_data).Elements.Count;
        if (_count != Elements) throw new InvalidOperationException($"image has {_count} elements, expected {Elements}");
    }

    [Benchmark]
    public int WholeLibrary() => ElementStatusDecoder.Decode(_data).Elements.Count;
}
