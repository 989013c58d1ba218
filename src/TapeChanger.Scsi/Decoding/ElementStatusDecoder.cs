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
    private static readonly VolumeTag BlankSpacesTag = new(string.Empty, 0) { Field = new string(' ', VolumeIdentifierLength) + new string('\0', VolumeTagLength - VolumeIdentifierLength) };
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

        var pages = new List<ElementStatusPage>();
        var elements = new List<ElementDescriptor>();
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
            if (descLength > 0) elements.EnsureCapacity(elements.Count + (pageEnd - pageStart) / descLength + 1);
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
                        elements.Add(DecodeDescriptor(data.Slice(d, have), d, type, pvol, avol, descLength));
                        decoded++;
                    }
                    // pageTruncated stays false for a complete page whose byte count is not a multiple of the
                    // descriptor length: that leftover is a length mismatch, not missing data.
                    break;
                }
                elements.Add(DecodeDescriptor(data.Slice(d, descLength), d, type, pvol, avol, descLength));
                decoded++;
                d += descLength;
            }
            pages.Add(new ElementStatusPage(type, pvol, avol, descLength, pageBytes, decoded, pageTruncated));
            pos = pageStart + pageBytes;
        }
        return new ElementStatusReport(first, available, byteCount, data.Length, pages, elements, missing);
    }

    private static ElementDescriptor DecodeDescriptor(ReadOnlySpan<byte> received, int origin, ElementType type, bool pvol, bool avol, int descLength)
    {
        bool partial = received.Length < descLength;
        ReadOnlySpan<byte> bytes = received;
        if (partial)
        {
            var padded = new byte[descLength];
            received.CopyTo(padded);
            bytes = padded;
        }
        var r = new BigEndianReader(bytes, Context, origin);
        ushort address = r.U16("ELEMENT ADDRESS");              // bytes 0-1
        var flags = (ElementFlags)r.U8("element flags");        // byte 2
        r.Skip(1, "reserved");                                   // byte 3
        byte asc = r.U8("ADDITIONAL SENSE CODE");               // byte 4
        byte ascq = r.U8("ADDITIONAL SENSE CODE QUALIFIER");    // byte 5
        byte b6 = r.U8("NOTBUS/IDVALID/LUVALID/LUN");           // byte 6 (DT only)
        byte b7 = r.U8("SCSI BUS ADDRESS");                     // byte 7 (DT only)
        r.Skip(1, "reserved");                                   // byte 8
        byte b9 = r.U8("SVALID/INVERT/ED/MEDIUM TYPE");         // byte 9
        ushort source = r.U16("SOURCE STORAGE ELEMENT ADDRESS"); // bytes 10-11

        VolumeTag? primary = pvol ? ReadVolumeTag(ref r, "PRIMARY VOLUME TAG") : null;
        VolumeTag? alternate = avol ? ReadVolumeTag(ref r, "ALTERNATE VOLUME TAG") : null;

        DeviceIdentifier? id = null;
        if (r.Remaining >= 4)
        {
            byte h0 = r.U8("CODE SET");                         // PROTOCOL IDENTIFIER (7-4) | CODE SET (3-0)
            byte h1 = r.U8("IDENTIFIER TYPE");                  // PIV (7) | ASSOCIATION (5-4) | IDENTIFIER TYPE (3-0)
            r.Skip(1, "reserved");
            int idLength = r.U8("IDENTIFIER LENGTH");
            if (idLength > 0)
            {
                // A declared identifier longer than the descriptor is cut to what is there (mhVTL's default
                // personality declares 32 and writes 34; tgt loses the tail of the last drive).
                int take = Math.Min(idLength, r.Remaining);
                int realReceived = Math.Max(0, received.Length - r.Position);
                int present = Math.Min(take, realReceived);
                var value = r.Bytes(present, "IDENTIFIER").ToArray();
                id = new DeviceIdentifier((byte)(h0 >> 4), (byte)(h0 & 0x0F), (h1 & 0x80) != 0, (byte)((h1 >> 4) & 0x03), (byte)(h1 & 0x0F), value, present < idLength);
            }
        }

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
            Partial: partial)
        {
            SourceField = source,
        };
    }

    private static VolumeTag ReadVolumeTag(ref BigEndianReader r, string field)
    {
        int origin = r.AbsolutePosition;
        var raw = r.Bytes(VolumeTagLength, field);                     // the 36-byte field, also kept as sent
        var t = new BigEndianReader(raw, Context, origin);
        string identifier = t.Ascii(VolumeIdentifierLength, field);    // 32 bytes VOLUME IDENTIFIER
        t.Skip(2, "reserved");                                         // 2 bytes reserved
        ushort sequence = t.U16("VOLUME SEQUENCE NUMBER");             // 2 bytes
        // Empty elements of a large library all carry the same blank field (spaces or NULs): share one
        // record for each instead of allocating a tag and a 36-character string per element.
        if (identifier.Length == 0 && sequence == 0)
        {
            // (sequence == 0 with the reserved bytes: the tail is usually four NULs)
            if (raw[VolumeIdentifierLength..].IndexOfAnyExcept((byte)0x00) < 0)
            {
                if (raw[..VolumeIdentifierLength].IndexOfAnyExcept((byte)0x20) < 0) return BlankSpacesTag;
                if (raw[..VolumeIdentifierLength].IndexOfAnyExcept((byte)0x00) < 0) return BlankZerosTag;
            }
        }
        return new VolumeTag(identifier, sequence) { Field = Latin1(raw) };
    }

    /// <summary>One char per byte (ISO 8859-1), nothing trimmed or replaced.</summary>
    private static string Latin1(ReadOnlySpan<byte> bytes) => System.Text.Encoding.Latin1.GetString(bytes);
}
