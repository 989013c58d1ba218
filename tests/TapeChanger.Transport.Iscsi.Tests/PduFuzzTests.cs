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

    [Property(MaxTest = 3000)]
    public bool Random_bytes(byte[] bytes) => DecodesOrThrowsTyped(bytes ?? []);

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
