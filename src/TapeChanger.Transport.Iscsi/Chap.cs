using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TapeChanger.Transport.Iscsi;

/// <summary>CHAP with MD5 (RFC 1994; iSCSI use in RFC 7143 §12.1.3: CHAP_A=5, values as 0x-hex).</summary>
public static class Chap
{
    /// <summary>CHAP_A value for MD5.</summary>
    public const string AlgorithmMd5 = "5";

    /// <summary>MD5(identifier ‖ secret ‖ challenge).</summary>
    public static byte[] Response(byte identifier, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> challenge)
    {
        var buf = new byte[1 + secret.Length + challenge.Length];
        buf[0] = identifier;
        secret.CopyTo(buf.AsSpan(1));
        challenge.CopyTo(buf.AsSpan(1 + secret.Length));
        return MD5.HashData(buf);
    }

    public static byte[] Response(byte identifier, string secret, ReadOnlySpan<byte> challenge) =>
        Response(identifier, Encoding.UTF8.GetBytes(secret), challenge);

    /// <summary>"0x" + lower-case hex, the encoding the targets expect.</summary>
    public static string ToHex(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>Decodes a CHAP_C/CHAP_R value in 0x-hex or 0b-base64 form; null if it is neither.</summary>
    public static byte[]? FromBinary(string value)
    {
        try
        {
            if (value.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                string hex = value[2..];
                if (hex.Length % 2 == 1) hex = "0" + hex;
                return Convert.FromHexString(hex);
            }
            if (value.StartsWith("0b", StringComparison.OrdinalIgnoreCase)) return Convert.FromBase64String(value[2..]);
        }
        catch (FormatException)
        {
        }
        return null;
    }

    public static bool TryParseNumber(string value, out int number)
    {
        if (value.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return int.TryParse(value.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out number);
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }
}
