using System.Collections;

namespace TapeChanger.Scsi.Decoding;

/// <summary>
/// A read-only list filled once, held in arrays of at most <see cref="ChunkLength"/> references (64 KiB on 64-bit),
/// each below the runtime's large-object threshold (85,000 bytes by default; the CLI compiles in 256 KiB). A single
/// array for the 50,000 records of a large library (400 KB) would go to the large object heap: it is not freed before
/// a gen2 collection, its allocation counts towards the gen2 budget, and every gen0 collection during the decode
/// scans its card table for the young records it points to (docs/performance.md "Decoding and the 2,000-slot status").
/// </summary>
internal sealed class ChunkedList<T> : IReadOnlyList<T>
{
    internal const int ChunkShift = 13;
    internal const int ChunkLength = 1 << ChunkShift;   // 8,192
    private const int ChunkMask = ChunkLength - 1;

    private readonly T[][] _chunks;
    private int _count;

    /// <param name="capacity">The most items that will be added (the decoder counts them from the page headers first).</param>
    public ChunkedList(int capacity)
    {
        int chunks = (capacity + ChunkMask) >> ChunkShift;
        _chunks = new T[chunks][];
        for (int i = 0; i < chunks; i++)
        {
            _chunks[i] = new T[Math.Min(ChunkLength, capacity - (i << ChunkShift))];
        }
    }

    public int Count => _count;

    public T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
            return _chunks[index >> ChunkShift][index & ChunkMask];
        }
    }

    /// <summary>Appends within the capacity given to the constructor.</summary>
    public void Add(T item)
    {
        _chunks[_count >> ChunkShift][_count & ChunkMask] = item;
        _count++;
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (int c = 0, left = _count; left > 0; c++, left -= ChunkLength)
        {
            T[] chunk = _chunks[c];
            int n = Math.Min(left, ChunkLength);
            for (int i = 0; i < n; i++) yield return chunk[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
