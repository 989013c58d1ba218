using System.Buffers.Binary;
using System.Text;

namespace TapeChanger.Benchmarks;

/// <summary>
/// Builds READ ELEMENT STATUS data (SMC-3 §6.11.2-§6.11.3) for a library of the given size, as a library answering an
/// all-types request with VOLTAG (and DVCID for the drives) would: one page per element type, every other slot full.
/// Written here from the standard, not with the project's encoders, so the decoder is measured on independent bytes.
/// </summary>
public static class ElementStatusImage
{
    private const int FixedDescriptor = 12;   // address .. source storage element address
    private const int VolumeTag = 36;          // 32-byte volume identifier, 2 reserved, 2-byte sequence number
    private const int DriveIdentifier = 4 + 34; // designation descriptor header + T10 vendor ID (8 + 16 + 10-byte serial)

    public static byte[] Build(int storage, int importExport, int drives)
    {
        byte[][] pages =
        [
            Page(type: 1, firstAddress: 0, count: 1, withId: false),              // medium transport
            Page(type: 2, firstAddress: 1000, count: storage, withId: false),     // storage
            Page(type: 3, firstAddress: 10, count: importExport, withId: false),  // import/export
            Page(type: 4, firstAddress: 500, count: drives, withId: true),        // data transfer
        ];
        int body = pages.Sum(p => p.Length);
        var data = new byte[8 + body];
        BinaryPrimitives.WriteUInt16BigEndian(data, 0);                                  // FIRST ELEMENT ADDRESS REPORTED
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(2), (ushort)(1 + storage + importExport + drives)); // NUMBER OF ELEMENTS AVAILABLE
        WriteU24(data.AsSpan(5), body);                                                  // BYTE COUNT OF REPORT AVAILABLE
        int pos = 8;
        foreach (byte[] p in pages)
        {
            p.CopyTo(data, pos);
            pos += p.Length;
        }
        return data;
    }

    private static byte[] Page(byte type, int firstAddress, int count, bool withId)
    {
        int descLength = FixedDescriptor + VolumeTag + (withId ? DriveIdentifier : 0);
        var page = new byte[8 + count * descLength];
        page[0] = type;                                                 // ELEMENT TYPE CODE
        page[1] = 0x80;                                                 // PVOLTAG
        BinaryPrimitives.WriteUInt16BigEndian(page.AsSpan(2), (ushort)descLength); // ELEMENT DESCRIPTOR LENGTH
        WriteU24(page.AsSpan(5), count * descLength);                   // BYTE COUNT OF DESCRIPTOR DATA AVAILABLE
        for (int i = 0; i < count; i++)
        {
            Span<byte> d = page.AsSpan(8 + i * descLength, descLength);
            BinaryPrimitives.WriteUInt16BigEndian(d, (ushort)(firstAddress + i)); // ELEMENT ADDRESS
            bool full = i % 2 == 0;
            d[2] = (byte)((full ? 0x01 : 0) | 0x08);                    // FULL, ACCESS
            if (full)
            {
                d[9] = 0x81;                                            // SVALID, medium type 1 (data)
                BinaryPrimitives.WriteUInt16BigEndian(d[10..], (ushort)(1000 + i)); // SOURCE STORAGE ELEMENT ADDRESS
                Encoding.ASCII.GetBytes($"T{i:D5}L8".PadRight(32), d.Slice(12, 32)); // PRIMARY VOLUME TAG
            }
            else
            {
                d.Slice(12, 32).Fill((byte)' ');
            }
            if (withId)
            {
                Span<byte> id = d[(FixedDescriptor + VolumeTag)..];
                id[0] = 0x02;                                           // CODE SET: ASCII
                id[1] = 0x01;                                           // IDENTIFIER TYPE: T10 vendor ID
                id[3] = 34;                                             // IDENTIFIER LENGTH
                Encoding.ASCII.GetBytes($"IBM     ULT3580-TD8     SN{i:D8}", id.Slice(4, 34));
            }
        }
        return page;
    }

    private static void WriteU24(Span<byte> target, int value)
    {
        target[0] = (byte)(value >> 16);
        target[1] = (byte)(value >> 8);
        target[2] = (byte)value;
    }
}
