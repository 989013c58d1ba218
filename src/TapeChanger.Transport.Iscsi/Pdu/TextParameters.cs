using System.Text;

namespace TapeChanger.Transport.Iscsi.Pdu;

/// <summary>
/// Text key=value pairs of Login and Text PDUs (RFC 7143 §6.1): UTF-8 "key=value", each terminated by a NUL.
/// Order and repeated keys are kept (SendTargets answers repeat TargetName/TargetAddress).
/// </summary>
public static class TextParameters
{
    /// <summary>Longest key tgt accepts (KEY_MAXLEN); RFC 7143 allows 63 characters.</summary>
    public const int MaxKeyLength = 64;

    public static byte[] Encode(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in pairs)
        {
            if (k.Length == 0 || k.Contains('=') || k.Contains('\0')) throw new ArgumentException($"invalid text key '{k}'");
            if (v.Contains('\0')) throw new ArgumentException($"value of {k} contains NUL");
            sb.Append(k).Append('=').Append(v).Append('\0');
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static byte[] Encode(params (string Key, string Value)[] pairs) =>
        Encode(pairs.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));

    /// <summary>Parses a data segment. A missing final NUL is tolerated; an entry without '=' or with an over-long key is not.</summary>
    public static List<KeyValuePair<string, string>> Parse(ReadOnlySpan<byte> data, string pdu = "Text")
    {
        var list = new List<KeyValuePair<string, string>>();
        int at = 0;
        while (at < data.Length)
        {
            int nul = data[at..].IndexOf((byte)0);
            int end = nul < 0 ? data.Length : at + nul;
            if (end > at)
            {
                var entry = data[at..end];
                int eq = entry.IndexOf((byte)'=');
                if (eq <= 0) throw new IscsiPduException(pdu, IscsiConstants.BhsLength + at, "text entry without a key=value form");
                if (eq > MaxKeyLength) throw new IscsiPduException(pdu, IscsiConstants.BhsLength + at, $"text key longer than {MaxKeyLength} bytes");
                string key, value;
                try
                {
                    var strict = new UTF8Encoding(false, true);
                    key = strict.GetString(entry[..eq]);
                    value = strict.GetString(entry[(eq + 1)..]);
                }
                catch (DecoderFallbackException)
                {
                    throw new IscsiPduException(pdu, IscsiConstants.BhsLength + at, "text entry is not valid UTF-8");
                }
                list.Add(new(key, value));
            }
            at = end + 1;
        }
        return list;
    }

    /// <summary>Last value of <paramref name="key"/>, or null.</summary>
    public static string? Get(this IReadOnlyList<KeyValuePair<string, string>> pairs, string key)
    {
        for (int i = pairs.Count - 1; i >= 0; i--)
        {
            if (pairs[i].Key == key) return pairs[i].Value;
        }
        return null;
    }
}

/// <summary>SAM 8-byte LUN encoding (SAM-5 §4.7; RFC 7143 §11.3 carries it in BHS bytes 8-15).</summary>
public static class IscsiLun
{
    /// <summary>Peripheral device addressing (00 LL) below 256, flat space addressing (01 LLLLLL LLLLLLLL) up to 16383.</summary>
    public static ulong Encode(int lun) => lun switch
    {
        < 0 or > 16383 => throw new ArgumentOutOfRangeException(nameof(lun), "single-level LUNs are 0 to 16383"),
        < 256 => (ulong)lun << 48,
        _ => (ulong)(0x4000 | lun) << 48,
    };

    /// <summary>First-level LUN number of a peripheral or flat-space address; other methods throw.</summary>
    public static int Decode(ulong lun)
    {
        int method = (int)(lun >> 62);
        int first = (int)(lun >> 48) & 0x3FFF;
        return method switch
        {
            0 => (first >> 8) == 0 ? first : throw new IscsiPduException("LUN", 8, $"peripheral LUN with bus {first >> 8} is not supported"),
            1 => first,
            _ => throw new IscsiPduException("LUN", 8, $"LUN addressing method {method} is not supported"),
        };
    }
}
