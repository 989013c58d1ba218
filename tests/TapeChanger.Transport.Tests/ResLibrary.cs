using System.Buffers.Binary;
using System.Text;
using TapeChanger.Scsi;

namespace TapeChanger.Transport.Tests;

/// <summary>
/// A changer that answers READ ELEMENT STATUS from a list of elements, laid out as SMC-3 §6.11 says: element type,
/// starting address, number of elements, VOLTAG (36-byte primary tag), DVCID (identifier descriptor), and the reply cut
/// to the allocation length. <see cref="Refuse"/> answers some commands otherwise (a CHECK CONDITION, a bad reply).
/// </summary>
internal sealed class ResLibrary
{
    /// <summary>Bytes of an identifier descriptor's value (T10 vendor ID form, padded with spaces).</summary>
    public const int IdLength = 20;

    public List<(ElementType Type, ushort Address, bool Full, string? Barcode, string? Id)> Elements { get; } = [];

    /// <summary>Most descriptors one reply holds (a library that answers fewer than asked); unlimited by default.</summary>
    public int MaxPerReply { get; init; } = int.MaxValue;

    /// <summary>Reads only the low two bytes of the three-byte allocation length (docs/reference/library-behaviour.md §9).</summary>
    public bool SixteenBitAllocation { get; init; }

    /// <summary>A result for a command instead of the READ ELEMENT STATUS answer; null answers normally.</summary>
    public Func<ScsiCommand, ScsiResult?>? Refuse { get; init; }

    public ResLibrary Add(ElementType type, ushort first, int count, Func<int, string?>? barcode = null, Func<int, string?>? id = null)
    {
        for (int i = 0; i < count; i++) Elements.Add((type, (ushort)(first + i), barcode?.Invoke(i) is not null, barcode?.Invoke(i), id?.Invoke(i)));
        return this;
    }

    public ScsiResult Answer(ScsiCommand c, Memory<byte> dataIn)
    {
        if (Refuse?.Invoke(c) is { } refused) return refused;
        var cdb = c.Cdb;
        if (cdb[0] != OpCode.ReadElementStatus) return ScsiResult.Good(0);
        var type = (ElementType)(cdb[1] & 0x0F);
        bool volTag = (cdb[1] & 0x10) != 0;
        ushort start = BinaryPrimitives.ReadUInt16BigEndian(cdb.AsSpan(2));
        int count = BinaryPrimitives.ReadUInt16BigEndian(cdb.AsSpan(4));
        bool dvcid = (cdb[6] & 0x01) != 0;
        int alloc = (cdb[7] << 16) | (cdb[8] << 8) | cdb[9];
        if (SixteenBitAllocation) alloc &= 0xFFFF;
        var reply = Build(Elements.Where(e => (type == ElementType.All || e.Type == type) && e.Address >= start)
            .OrderBy(e => e.Type).ThenBy(e => e.Address).Take(Math.Min(count, MaxPerReply)).ToList(), volTag, dvcid);
        int n = Math.Min(Math.Min(reply.Length, alloc), dataIn.Length);
        reply.AsSpan(0, n).CopyTo(dataIn.Span);
        return ScsiResult.Good(n);
    }

    public static byte[] Build(List<(ElementType Type, ushort Address, bool Full, string? Barcode, string? Id)> elements, bool volTag, bool dvcid)
    {
        int descLength = 12 + (volTag ? 36 : 0) + (dvcid ? 4 + IdLength : 0);
        var body = new List<byte>();
        foreach (var page in elements.GroupBy(e => e.Type))
        {
            int bytes = page.Count() * descLength;
            body.AddRange([(byte)page.Key, (byte)(volTag ? 0x80 : 0), (byte)(descLength >> 8), (byte)descLength, 0, (byte)(bytes >> 16), (byte)(bytes >> 8), (byte)bytes]);
            foreach (var e in page)
            {
                var d = new byte[descLength];
                BinaryPrimitives.WriteUInt16BigEndian(d, e.Address);
                d[2] = e.Full ? (byte)0x01 : (byte)0;
                int pos = 12;
                if (volTag)
                {
                    Encoding.ASCII.GetBytes((e.Barcode ?? "").PadRight(32)).CopyTo(d, pos);
                    pos += 36;
                }
                if (dvcid && e.Id is not null)
                {
                    d[pos] = 0x02;                      // code set 2: ASCII
                    d[pos + 1] = 0x01;                  // identifier type 1: T10 vendor ID
                    d[pos + 3] = IdLength;
                    Encoding.ASCII.GetBytes(e.Id.PadRight(IdLength)).CopyTo(d, pos + 4);
                }
                body.AddRange(d);
            }
        }
        ushort first = elements.Count > 0 ? elements[0].Address : (ushort)0;
        byte[] header = [(byte)(first >> 8), (byte)first, (byte)(elements.Count >> 8), (byte)elements.Count, 0, (byte)(body.Count >> 16), (byte)(body.Count >> 8), (byte)body.Count];
        return [.. header, .. body];
    }
}
