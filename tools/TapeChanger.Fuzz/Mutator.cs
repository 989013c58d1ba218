namespace TapeChanger.Fuzz;

/// <summary>
/// Input generation: random bytes of random length, and a mutation fuzzer over real captures (AFL-style havoc
/// operators: bit flips, interesting byte values, length-field corruption, truncation, extension, splicing, chunk
/// duplication). Everything is drawn from the <see cref="Random"/> it is given, so a (seed, target, case) triple
/// always rebuilds the same input.
/// </summary>
internal static class Mutator
{
    /// <summary>Byte values at the edges of signed/unsigned ranges (AFL's interesting_8).</summary>
    private static readonly byte[] Interesting8 = [0x00, 0x01, 0x02, 0x04, 0x07, 0x08, 0x10, 0x20, 0x3F, 0x40, 0x7F, 0x80, 0x81, 0xFE, 0xFF];

    /// <summary>Random bytes; lengths skewed small (most headers are 4-8 bytes), sometimes up to 64 KiB.</summary>
    public static byte[] RandomBytes(Random rnd)
    {
        int len = rnd.Next(10) switch
        {
            < 5 => rnd.Next(0, 33),
            < 8 => rnd.Next(33, 257),
            9 => rnd.Next(257, 4097),
            _ => rnd.Next(4097, 65537),
        };
        var b = new byte[len];
        rnd.NextBytes(b);
        return b;
    }

    /// <summary>Applies 1-6 stacked mutations to a copy of <paramref name="original"/>; <paramref name="other"/> feeds splicing.</summary>
    public static byte[] Mutate(Random rnd, byte[] original, byte[] other)
    {
        var d = new List<byte>(original);
        int n = rnd.Next(1, 7);
        for (int i = 0; i < n; i++)
        {
            switch (rnd.Next(12))
            {
                case 0 when d.Count > 0:                                  // bit flip
                {
                    int p = rnd.Next(d.Count);
                    d[p] ^= (byte)(1 << rnd.Next(8));
                    break;
                }
                case 1 when d.Count > 0:                                  // byte set to 00 / FF / an interesting value
                {
                    int p = rnd.Next(d.Count);
                    d[p] = Interesting8[rnd.Next(Interesting8.Length)];
                    break;
                }
                case 2 when d.Count > 0:                                  // random byte
                    d[rnd.Next(d.Count)] = (byte)rnd.Next(256);
                    break;
                case 3 when d.Count > 1:                                  // length field: a 1-4 byte big-endian boundary value
                    CorruptLength(rnd, d);
                    break;
                case 4 when d.Count > 0:                                  // truncation: cut a range out
                {
                    int start = rnd.Next(d.Count);
                    d.RemoveRange(start, rnd.Next(d.Count - start + 1));
                    break;
                }
                case 5:                                                   // extension: random, zero or 0xFF tail
                {
                    int len = rnd.Next(1, rnd.Next(2) == 0 ? 16 : 512);
                    int mode = rnd.Next(3);                               // 0: zeros, 1: 0xFF, 2: random
                    byte fill = mode == 1 ? (byte)0xFF : (byte)0;
                    bool random = mode == 2;
                    for (int k = 0; k < len; k++) d.Add(random ? (byte)rnd.Next(256) : fill);
                    break;
                }
                case 6 when other.Length > 0:                             // splice: our prefix + the other capture's suffix
                {
                    int keep = rnd.Next(d.Count + 1);
                    int from = rnd.Next(other.Length);
                    d.RemoveRange(keep, d.Count - keep);
                    d.AddRange(other.AsSpan(from).ToArray());
                    break;
                }
                case 7 when d.Count > 0:                                  // chunk duplication (a descriptor repeated)
                {
                    int start = rnd.Next(d.Count);
                    int len = rnd.Next(1, Math.Min(d.Count - start, 128) + 1);
                    var chunk = d.GetRange(start, len);
                    d.InsertRange(rnd.Next(d.Count + 1), chunk);
                    break;
                }
                case 8 when d.Count > 0:                                  // chunk deletion
                {
                    int start = rnd.Next(d.Count);
                    d.RemoveRange(start, rnd.Next(1, Math.Min(d.Count - start, 64) + 1));
                    break;
                }
                case 9 when d.Count > 1:                                  // chunk overwrite from elsewhere in the input
                {
                    int src = rnd.Next(d.Count), dst = rnd.Next(d.Count);
                    int len = rnd.Next(1, Math.Min(Math.Min(d.Count - src, d.Count - dst), 32) + 1);
                    var chunk = d.GetRange(src, len);
                    for (int k = 0; k < len; k++) d[dst + k] = chunk[k];
                    break;
                }
                case 10 when d.Count > 0:                                 // add/subtract a small number (off-by-one lengths)
                {
                    int p = rnd.Next(Math.Min(d.Count, 64));
                    d[p] = (byte)(d[p] + rnd.Next(-4, 5));
                    break;
                }
                default:                                                  // truncation at a random length
                {
                    int keep = rnd.Next(d.Count + 1);
                    d.RemoveRange(keep, d.Count - keep);
                    break;
                }
            }
        }
        return d.ToArray();
    }

    /// <summary>Writes a boundary value (0, 1, max, max-1, the input length ± a little) as a 1-4 byte big-endian field.</summary>
    private static void CorruptLength(Random rnd, List<byte> d)
    {
        int width = rnd.Next(1, 5);
        // Length fields sit in the first 16 bytes of every header the decoders read, or at a descriptor boundary.
        int p = rnd.Next(2) == 0 ? rnd.Next(Math.Min(d.Count, 16)) : rnd.Next(d.Count);
        ulong max = width == 4 ? uint.MaxValue : (1UL << (8 * width)) - 1;
        ulong value = rnd.Next(8) switch
        {
            0 => 0,
            1 => 1,
            2 => max,
            3 => max - 1,
            4 => max / 2 + 1,                                              // sign bit
            5 => (ulong)Math.Max(0, d.Count - p - width + rnd.Next(-8, 9)), // "the rest of the buffer", off by a little
            6 => (ulong)d.Count + (ulong)rnd.Next(0, 64),
            _ => (ulong)rnd.NextInt64(0, (long)Math.Min(max, long.MaxValue - 1) + 1),
        };
        value &= max;
        for (int k = 0; k < width && p + k < d.Count; k++)
        {
            d[p + k] = (byte)(value >> (8 * (width - 1 - k)));
        }
    }
}
