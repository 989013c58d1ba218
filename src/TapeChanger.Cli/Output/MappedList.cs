using System.Collections;

namespace TapeChanger.Cli.Output;

/// <summary>A read-only list whose items are made from <paramref name="source"/>'s when read (each read makes a new one).</summary>
internal sealed class MappedList<TIn, TOut>(IReadOnlyList<TIn> source, Func<TIn, TOut> map) : IReadOnlyList<TOut>
{
    public int Count => source.Count;

    public TOut this[int index] => map(source[index]);

    public IEnumerator<TOut> GetEnumerator()
    {
        for (int i = 0; i < source.Count; i++) yield return map(source[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
