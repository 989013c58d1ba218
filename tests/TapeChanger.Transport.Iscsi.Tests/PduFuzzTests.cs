using FsCheck;
using FsCheck.Xunit;
using TapeChanger.Transport.Iscsi.Pdu;

namespace TapeChanger.Transport.Iscsi.Tests;

/// <summary>The parser is total: any input decodes or throws <see cref="IscsiPduException"/>, nothing else.</summary>
public sealed class PduFuzzTests
{
    private static bool DecodesOrThrowsTyped(byte[] bytes)
    {
        try
        {
            var pdu = IscsiPdu.Decode(bytes, out int consumed);
            if (consumed > bytes.Length) return false;
            if (pdu is ScsiResponsePdu r) r.Sense();
            if (pdu is LoginResponsePdu or TextResponsePdu) TextParameters.Parse(pdu.Data);
            _ = IscsiLun.Decode(bytes.Length >= 16 ? BitConverter.ToUInt64(bytes, 8) : 0);
            return true;
        }
        catch (IscsiPduException)
        {
            return true;
        }
    }

    /// <summary>Login/Text data: key=value parsing throws only its typed error; what the initiator does with the values never throws.</summary>
    private static bool TextParsesOrThrowsTyped(byte[] data)
    {
        List<KeyValuePair<string, string>> keys;
        try
        {
            keys = TextParameters.Parse(data, "Login Response");
        }
        catch (IscsiPduException)
        {
            return true;
        }
        _ = IscsiDiscovery.ParseSendTargets(keys);
        foreach (var (_, v) in keys)
        {
            _ = Chap.FromBinary(v);
            _ = Chap.TryParseNumber(v, out _);
            _ = IscsiDiscovery.ParsePortal(v);
        }
        return true;
    }

    [Property(MaxTest = 3000)]
    public bool Random_bytes(byte[] bytes) => DecodesOrThrowsTyped(bytes ?? []);

    [Property(MaxTest = 3000)]
    public bool Text_parameters_on_random_bytes(byte[] bytes) => TextParsesOrThrowsTyped(bytes ?? []);

    [Property(MaxTest = 3000)]
    public bool Text_parameters_on_random_key_value_text(string text) => TextParsesOrThrowsTyped(System.Text.Encoding.UTF8.GetBytes(text ?? ""));

    [Property(MaxTest = 3000)]
    public bool Text_parameters_on_mutated_segments(NonNegativeInt position, byte value, NonNegativeInt cut)
    {
        var seg = TextParameters.Encode(("TargetName", "iqn.2026-11.example:changer"), ("TargetAddress", "[fe80::1]:3261,2"),
            ("CHAP_I", "0x2a"), ("CHAP_C", "0b" + Convert.ToBase64String([1, 2, 3])));
        seg[position.Get % seg.Length] = value;
        return TextParsesOrThrowsTyped(seg[..(seg.Length - cut.Get % seg.Length)]);
    }

    [Property(MaxTest = 3000)]
    public bool Random_headers_with_plausible_lengths(byte[] header, byte ahsWords, byte dataLength, byte[] tail)
    {
        var b = new byte[48 + (tail?.Length ?? 0)];
        (header ?? []).AsSpan(0, Math.Min(48, header?.Length ?? 0)).CopyTo(b);
        tail?.CopyTo(b, 48);
        b[4] = (byte)(ahsWords % 4);
        b[5] = 0;
        b[6] = 0;
        b[7] = dataLength;
        return DecodesOrThrowsTyped(b);
    }

    [Property(MaxTest = 3000)]
    public bool Mutated_valid_pdus(NonNegativeInt which, NonNegativeInt position, byte value, NonNegativeInt cut)
    {
        var all = PduCodecTests.SamplePdus;
        var bytes = all[which.Get % all.Length].Encode();
        bytes[position.Get % bytes.Length] = value;
        int keep = bytes.Length - cut.Get % 8;
        return DecodesOrThrowsTyped(bytes[..keep]);
    }
}
