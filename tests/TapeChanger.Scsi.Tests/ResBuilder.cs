using System.Text;

namespace TapeChanger.Scsi.Tests;

/// <summary>Builds READ ELEMENT STATUS replies byte by byte for the truncation tests.</summary>
internal sealed class ResBuilder
{
    private readonly List<(byte Type, bool PVol, int DescLength, List<byte[]> Descriptors)> _pages = [];

    public ResBuilder Page(byte type, bool pvol, int descLength)
    {
        _pages.Add((type, pvol, descLength, []));
        return this;
    }

    /// <summary>Adds a descriptor to the last page: address, flags, byte 9, source, barcode, optional T10 identifier.</summary>
    public ResBuilder Element(ushort address, byte flags, byte b9 = 0, ushort source = 0, string? barcode = null, string? t10Id = null)
    {
        var p = _pages[^1];
        var d = new byte[p.DescLength];
        d[0] = (byte)(address >> 8); d[1] = (byte)address;
        d[2] = flags;
        d[9] = b9;
        d[10] = (byte)(source >> 8); d[11] = (byte)source;
        int pos = 12;
        if (p.PVol)
        {
            var tag = Encoding.ASCII.GetBytes((barcode ?? "").PadRight(32));
            tag.CopyTo(d, pos);
            pos += 36;
        }
        if (t10Id is not null)
        {
            d[pos] = 0x02; d[pos + 1] = 0x01; d[pos + 3] = (byte)t10Id.Length;
            Encoding.ASCII.GetBytes(t10Id).CopyTo(d, pos + 4);
        }
        p.Descriptors.Add(d);
        return this;
    }

    public byte[] Build(ushort first = 0, int? available = null)
    {
        var body = new List<byte>();
        foreach (var p in _pages)
        {
            int count = p.Descriptors.Count * p.DescLength;
            body.AddRange([p.Type, (byte)(p.PVol ? 0x80 : 0), (byte)(p.DescLength >> 8), (byte)p.DescLength, 0, (byte)(count >> 16), (byte)(count >> 8), (byte)count]);
            foreach (var d in p.Descriptors) body.AddRange(d);
        }
        int n = available ?? _pages.Sum(p => p.Descriptors.Count);
        var header = new byte[] { (byte)(first >> 8), (byte)first, (byte)(n >> 8), (byte)n, 0, (byte)(body.Count >> 16), (byte)(body.Count >> 8), (byte)body.Count };
        return [.. header, .. body];
    }
}
