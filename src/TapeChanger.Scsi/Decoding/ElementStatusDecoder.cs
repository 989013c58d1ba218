using System.Buffers.Binary;
using System.Text;

namespace TapeChanger.Scsi.Decoding;

/// <summary>
/// Decodes READ ELEMENT STATUS data (SMC-3 §6.11). Walks by the lengths the device declares, never past the buffer.
/// Pages may come in any order and each page has its own descriptor length.
/// <para>Tolerances (each seen on real devices or emulators):</para>
/// <list type="bullet">
/// <item>Short replies: tgt's transfer is 8 bytes short of its own byte count, and a small allocation length cuts the
/// reply anywhere. Complete descriptors are decoded; a trailing descriptor that still has its 12 fixed bytes (and the
/// 32-byte volume identifier when PVOLTAG is set) is decoded with the missing tail taken as zero and marked
/// <see cref="ElementDescriptor.Partial"/>. <see cref="ElementStatusReport.MissingBytes"/> tells the caller.</item>
/// <item>Padded replies: bytes after the declared byte count are ignored (HPE MSL3040 returns exactly; others pad to the allocation length).</item>
/// </list>
/// Malformed input (zero or too-small descriptor length, invalid element type code, a page running past the
/// header's byte count) throws <see cref="ScsiDecodeException"/> with the offset.
/// </summary>
public static class ElementStatusDecoder
{
    private const string Context = "READ ELEMENT STATUS data";
    private const int HeaderLength = 8;
    private const int PageHeaderLength = 8;
    /// <summary>Bytes 0-11 of every descriptor: address, flags, ASC/ASCQ, bus info, medium type, source.</summary>
    private const int FixedDescriptorLength = 12;
    private const int VolumeTagLength = 36;
    private const int VolumeIdentifierLength = 32;
    /// <summary>Partial descriptors up to this length are padded on the stack.</summary>
    private const int StackPadLimit = 1024;
    // Empty elements of a large library all carry the same blank field (32 spaces or 36 NULs, zero sequence
    // number): one shared record for each instead of a tag per element.
    // Its field is given, not composed at each read: mtx's view reads the field of every empty slot.
    private static readonly VolumeTag BlankSpacesTag = new(string.Empty, 0) { Field = new string(' ', VolumeIdentifierLength) + "\0\0\0\0" };
    private static readonly VolumeTag BlankZerosTag = new(string.Empty, 0) { Field = new string('\0', VolumeTagLength) };

    public static ElementStatusReport Decode(ReadOnlySpan<byte> data)
    {
        var r = new BigEndianReader(data, Context);
        ushort first = r.U16("FIRST ELEMENT ADDRESS REPORTED");   // bytes 0-1
        ushort available = r.U16("NUMBER OF ELEMENTS AVAILABLE"); // bytes 2-3
        r.Skip(1, "reserved");                                     // byte 4
        int byteCount = r.U24("BYTE COUNT OF REPORT AVAILABLE");  // bytes 5-7

        int declaredEnd = HeaderLength + byteCount;
        int end = Math.Min(data.Length, declaredEnd);               // ignore padding past the declared count
        int missing = Math.Max(0, declaredEnd - data.Length);

        var pages = new List<ElementStatusPage>(4);
        // Sized once from the page headers: one result record per descriptor and nothing else per descriptor.
        var elements = new ChunkedList<ElementDescriptor>(CountDescriptors(data, end));
        int pos = HeaderLength;
        while (end - pos >= PageHeaderLength)
        {
            var ph = new BigEndianReader(data[pos..end], Context, pos);
            byte typeCode = ph.U8("ELEMENT TYPE CODE");            // page byte 0
            if (typeCode is < 1 or > 4)
            {
                throw new ScsiDecodeException(Context, "ELEMENT TYPE CODE", pos, $"invalid element type code {typeCode:X2}h");
            }
            byte tagFlags = ph.U8("PVOLTAG/AVOLTAG");                 // page byte 1: bit 7 PVOLTAG, bit 6 AVOLTAG
            int descLength = ph.U16("ELEMENT DESCRIPTOR LENGTH");     // page bytes 2-3
            ph.Skip(1, "reserved");                                  // page byte 4
            int pageBytes = ph.U24("BYTE COUNT OF DESCRIPTOR DATA AVAILABLE"); // page bytes 5-7
            bool pvol = (tagFlags & 0x80) != 0;
            bool avol = (tagFlags & 0x40) != 0;
            var type = (ElementType)typeCode;

            if (avol && descLength < FixedDescriptorLength + (pvol ? VolumeTagLength : 0) + VolumeTagLength)
            {
                // mhVTL (snapshot, github.com/markh794/mhvtl/issues/173) sets AVOLTAG on DT pages of its HP MSL / Spectra personalities
                // without sending an alternate tag; when the descriptor has no room for one, the flag is ignored.
                avol = false;
            }
            int minimum = FixedDescriptorLength + (pvol ? VolumeTagLength : 0) + (avol ? VolumeTagLength : 0);
            if (pageBytes > 0 && descLength < minimum)
            {
                throw new ScsiDecodeException(Context, "ELEMENT DESCRIPTOR LENGTH", pos + 2,
                    $"descriptor length {descLength} is below the {minimum} bytes its page flags require");
            }
            int pageStart = pos + PageHeaderLength;
            if (pageStart + pageBytes > declaredEnd)
            {
                throw new ScsiDecodeException(Context, "BYTE COUNT OF DESCRIPTOR DATA AVAILABLE", pos + 5,
                    $"page declares {pageBytes} bytes, past the report's byte count {byteCount}");
            }
            int pageEnd = Math.Min(pageStart + pageBytes, end);
            bool pageTruncated = pageEnd < pageStart + pageBytes;
            int decoded = 0;
            int d = pageStart;
            while (pageBytes > 0 && d < pageEnd)
            {
                int have = Math.Min(descLength, pageEnd - d);
                if (have < descLength)
                {
                    // Only the last descriptor of a cut reply may be partial; inside a complete page the
                    // leftover is a length mismatch, which we tolerate by ignoring it.
                    int needed = FixedDescriptorLength + (pvol ? VolumeIdentifierLength : 0);
                    if (pageTruncated && have >= needed)
                    {
                        elements.Add(DecodePartial(data.Slice(d, have), type, pvol, avol, descLength));
                        decoded++;
                    }
                    // pageTruncated stays false for a complete page whose byte count is not a multiple of the
                    // descriptor length: that leftover is a length mismatch, not missing data.
                    break;
                }
                elements.Add(DecodeDescriptor(data.Slice(d, descLength), descLength, type, pvol, avol));
                decoded++;
                d += descLength;
            }
            pages.Add(new ElementStatusPage(type, pvol, avol, descLength, pageBytes, decoded, pageTruncated));
            pos = pageStart + pageBytes;
        }
        return new ElementStatusReport(first, available, byteCount, data.Length, pages, elements, missing);
    }

    /// <summary>
    /// How many descriptors the page headers announce within the bytes received (an upper bound: nothing is
    /// validated here, <see cref="Decode"/> does that), so the result list is allocated once.
    /// </summary>
    private static int CountDescriptors(ReadOnlySpan<byte> data, int end)
    {
        int count = 0;
        int pos = HeaderLength;
        while (end - pos >= PageHeaderLength)
        {
            int descLength = (data[pos + 2] << 8) | data[pos + 3];                          // page bytes 2-3
            int pageBytes = (data[pos + 5] << 16) | (data[pos + 6] << 8) | data[pos + 7];   // page bytes 5-7
            int pageStart = pos + PageHeaderLength;
            int received = Math.Min(pageBytes, Math.Max(0, end - pageStart));
            if (descLength >= FixedDescriptorLength) count += (received + descLength - 1) / descLength;
            pos = pageStart + pageBytes;
        }
        return count;
    }

    /// <summary>A cut last descriptor: decoded from a copy padded with zeros, marked partial.</summary>
    private static ElementDescriptor DecodePartial(ReadOnlySpan<byte> received, ElementType type, bool pvol, bool avol, int descLength)
    {
        Span<byte> padded = descLength <= StackPadLimit ? stackalloc byte[StackPadLimit] : new byte[descLength];
        padded = padded[..descLength];
        padded.Clear();
        received.CopyTo(padded);
        return DecodeDescriptor(padded, received.Length, type, pvol, avol);
    }

    /// <param name="bytes">The whole descriptor (<c>descLength</c> bytes, at least the fixed part and the tags the page flags announce).</param>
    /// <param name="received">How many of those bytes the device sent (the rest of a partial descriptor is zero).</param>
    private static ElementDescriptor DecodeDescriptor(ReadOnlySpan<byte> bytes, int received, ElementType type, bool pvol, bool avol)
    {
        ushort address = BinaryPrimitives.ReadUInt16BigEndian(bytes);  // bytes 0-1 ELEMENT ADDRESS
        var flags = (ElementFlags)bytes[2];                              // byte 2 element flags; byte 3 reserved
        byte asc = bytes[4];                                             // byte 4 ADDITIONAL SENSE CODE
        byte ascq = bytes[5];                                            // byte 5 ADDITIONAL SENSE CODE QUALIFIER
        byte b6 = bytes[6];                                              // byte 6 NOTBUS/IDVALID/LUVALID/LUN (DT only)
        byte b7 = bytes[7];                                              // byte 7 SCSI BUS ADDRESS (DT only); byte 8 reserved
        byte b9 = bytes[9];                                              // byte 9 SVALID/INVERT/ED/MEDIUM TYPE
        ushort source = BinaryPrimitives.ReadUInt16BigEndian(bytes[10..]); // bytes 10-11 SOURCE STORAGE ELEMENT ADDRESS

        int pos = FixedDescriptorLength;
        VolumeTag? primary = null;
        if (pvol)
        {
            primary = ReadVolumeTag(bytes.Slice(pos, VolumeTagLength));  // PRIMARY VOLUME TAG
            pos += VolumeTagLength;
        }
        VolumeTag? alternate = null;
        if (avol)
        {
            alternate = ReadVolumeTag(bytes.Slice(pos, VolumeTagLength)); // ALTERNATE VOLUME TAG
            pos += VolumeTagLength;
        }
        DeviceIdentifier? id = bytes.Length - pos >= 4 ? ReadIdentifier(bytes, pos, received) : null;

        bool dt = type == ElementType.DataTransfer;
        return new ElementDescriptor(
            type, address, flags, asc, ascq,
            SourceAddress: (b9 & 0x80) != 0 ? source : null,
            MediumType: (MediumType)(b9 & 0x07),
            Invert: (b9 & 0x40) != 0,
            Disabled: (b9 & 0x08) != 0,
            primary, alternate, id,
            ScsiId: dt && (b6 & 0x20) != 0 ? b7 : null,
            Lun: dt && (b6 & 0x10) != 0 ? (byte)(b6 & 0x07) : null,
            Partial: received < bytes.Length)
        {
            SourceField = source,
        };
    }

    /// <summary>The DVCID identification descriptor after the tags (SPC-4 designator header), or null when its length is 0.</summary>
    /// <param name="pos">Where the 4-byte header starts; the caller has checked that it is inside <paramref name="bytes"/>.</param>
    private static DeviceIdentifier? ReadIdentifier(ReadOnlySpan<byte> bytes, int pos, int received)
    {
        byte h0 = bytes[pos];                               // PROTOCOL IDENTIFIER (7-4) | CODE SET (3-0)
        byte h1 = bytes[pos + 1];                           // PIV (7) | ASSOCIATION (5-4) | IDENTIFIER TYPE (3-0); byte 2 reserved
        int idLength = bytes[pos + 3];                      // IDENTIFIER LENGTH
        if (idLength == 0) return null;
        int start = pos + 4;
        // A declared identifier longer than the descriptor is cut to what is there (mhVTL's default
        // personality declares 32 and writes 34; tgt loses the tail of the last drive).
        int take = Math.Min(idLength, bytes.Length - start);
        int present = Math.Min(take, Math.Max(0, received - start));
        var value = bytes.Slice(start, present).ToArray();
        return new DeviceIdentifier((byte)(h0 >> 4), (byte)(h0 & 0x0F), (h1 & 0x80) != 0, (byte)((h1 >> 4) & 0x03), (byte)(h1 & 0x0F), value, present < idLength);
    }

    /// <summary>
    /// A 36-byte volume tag field: 32 bytes VOLUME IDENTIFIER, 2 reserved, 2 bytes VOLUME SEQUENCE NUMBER. The
    /// identifier is trimmed straight from the reply. The field as sent is kept as a string only when it cannot be
    /// told from the identifier and sequence number; the usual form (identifier left-aligned, space padded, reserved
    /// bytes zero) keeps the identifier's bytes in the tag, and its string and <see cref="VolumeTag.Field"/> are
    /// made when asked for.
    /// </summary>
    private static VolumeTag ReadVolumeTag(ReadOnlySpan<byte> raw)
    {
        ReadOnlySpan<byte> identifier = raw[..VolumeIdentifierLength];
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(raw[34..]);
        bool reservedZero = raw[32] == 0 && raw[33] == 0;
        // An empty element's usual tag (32 spaces, reserved and sequence zero: every empty slot of tgt and most
        // libraries) in one scan, before the general path's two.
        if (sequence == 0 && reservedZero && identifier.IndexOfAnyExcept((byte)0x20) < 0) return BlankSpacesTag;
        int end = identifier.LastIndexOfAnyExcept((byte)0x20, (byte)0x00) + 1;
        if (end == 0 && sequence == 0 && reservedZero)
        {
            if (identifier.IndexOfAnyExcept((byte)0x20) < 0) return BlankSpacesTag;
            if (identifier.IndexOfAnyExcept((byte)0x00) < 0) return BlankZerosTag;
        }
        int start = identifier[..end].IndexOfAnyExcept((byte)0x20, (byte)0x00);
        if (start < 0) start = end;
        ReadOnlySpan<byte> text = identifier[start..end];
        bool printable = text.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) < 0;
        if (printable && start == 0 && reservedZero && identifier[end..].IndexOfAnyExcept((byte)0x20) < 0)
        {
            // The usual form: the tag keeps the identifier's bytes, its string is made when first read.
            return VolumeTag.Composed(text, sequence);
        }
        // Printable ASCII is copied as it is; anything else becomes '?' (AsciiText.Trim).
        string trimmed = text.Length == 0 ? string.Empty : printable ? Encoding.ASCII.GetString(text) : AsciiText.Trim(text);
        return new VolumeTag(trimmed, sequence) { Field = Encoding.Latin1.GetString(raw) };
    }
}
