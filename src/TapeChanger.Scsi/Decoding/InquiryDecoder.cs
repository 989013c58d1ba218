namespace TapeChanger.Scsi.Decoding;

/// <summary>
/// Decodes standard INQUIRY data (SPC-4 §6.6.2) and the VPD pages a changer driver uses: 00h supported pages,
/// 80h unit serial number and 83h device identification (SPC-4 §7.8).
/// </summary>
public static class InquiryDecoder
{
    private const string StandardContext = "standard INQUIRY data";
    private const string Vpd00Context = "INQUIRY VPD page 00h";
    private const string Vpd80Context = "INQUIRY VPD page 80h";
    private const string Vpd83Context = "INQUIRY VPD page 83h";

    /// <summary>Bytes 0-7 are required; a shorter reply throws.</summary>
    public const int MinimumStandardLength = 8;

    /// <summary>
    /// Decodes standard INQUIRY data. Decision on short replies: 36 bytes is the normal minimum, but any reply of at
    /// least <see cref="MinimumStandardLength"/> bytes decodes; vendor/product/revision take whatever part of bytes
    /// 8-35 is present (empty when absent). <see cref="StandardInquiry.Truncated"/> is true when fewer bytes arrived
    /// than ADDITIONAL LENGTH + 5 declares (a 36-byte allocation against a 74-byte reply is "truncated" too).
    /// Bytes past the declared length are ignored. Bytes 36-55 are reported as <see cref="StandardInquiry.VendorSpecific"/>
    /// only when they hold printable ASCII (HPE MSL3040 puts binary there); version descriptors (bytes 58-73) are
    /// returned when present, zero entries omitted.
    /// </summary>
    public static StandardInquiry DecodeStandard(ReadOnlySpan<byte> data)
    {
        var r = new BigEndianReader(data, StandardContext);
        byte b0 = r.U8("PERIPHERAL QUALIFIER/DEVICE TYPE");        // byte 0: PQ (7-5) | PDT (4-0)
        byte b1 = r.U8("RMB");                                      // byte 1 bit 7 RMB
        byte version = r.U8("VERSION");                             // byte 2
        byte b3 = r.U8("RESPONSE DATA FORMAT");                     // byte 3 bits 3-0 RESPONSE DATA FORMAT
        int additional = r.U8("ADDITIONAL LENGTH");                 // byte 4: n - 4
        r.Skip(1, "SCCS/ACC/TPGS/3PC/PROTECT");                     // byte 5
        byte b6 = r.U8("ENCSERV/VS/MULTIP/MCHNGR/ADDR16");          // byte 6 bit 3 MCHNGR
        r.Skip(1, "WBUS16/SYNC/CMDQUE");                            // byte 7

        int declaredEnd = 5 + additional;
        int end = Math.Min(data.Length, declaredEnd);
        bool truncated = data.Length < declaredEnd;
        // Vendor/product/revision come from what arrived, even if ADDITIONAL LENGTH is too small (old devices).
        string vendor = Text(data, 8, 8);                           // bytes 8-15 T10 VENDOR IDENTIFICATION
        string product = Text(data, 16, 16);                        // bytes 16-31 PRODUCT IDENTIFICATION
        string revision = Text(data, 32, 4);                        // bytes 32-35 PRODUCT REVISION LEVEL

        string? vendorSpecific = null;
        if (end > 36)
        {
            var vs = data[36..Math.Min(end, 56)];                   // bytes 36-55 vendor specific
            string text = AsciiText.Trim(vs);
            bool printable = true;
            foreach (byte b in vs)
            {
                if (b != 0 && b is < 0x20 or >= 0x7F) { printable = false; break; }
            }
            vendorSpecific = printable && text.Length > 0 ? text : null;
        }

        var descriptors = new List<ushort>();
        if (end > 58)
        {
            var vd = new BigEndianReader(data[58..Math.Min(end, 74)], StandardContext, 58);
            while (vd.Remaining >= 2)
            {
                ushort d = vd.U16("VERSION DESCRIPTOR");           // bytes 58-73: eight 2-byte descriptors
                if (d != 0) descriptors.Add(d);
            }
        }

        return new StandardInquiry(
            PeripheralQualifier: (byte)(b0 >> 5),
            PeripheralDeviceType: (byte)(b0 & 0x1F),
            Removable: (b1 & 0x80) != 0,
            Version: version,
            ResponseDataFormat: (byte)(b3 & 0x0F),
            AdditionalLength: additional,
            MediumChangerAttached: (b6 & 0x08) != 0,
            Vendor: vendor,
            Product: product,
            Revision: revision,
            VendorSpecific: vendorSpecific,
            VersionDescriptors: descriptors,
            Truncated: truncated);
    }

    /// <summary>VPD page 00h: the list of supported page codes. A list cut by the allocation length is returned as received.</summary>
    public static IReadOnlyList<byte> DecodeSupportedPages(ReadOnlySpan<byte> data)
    {
        var body = OpenVpd(data, 0x00, Vpd00Context, out _);
        return body.ToArray();                                      // bytes 4..n SUPPORTED VPD PAGE LIST
    }

    /// <summary>
    /// VPD page 80h: the PRODUCT SERIAL NUMBER, trimmed of spaces and NULs on both sides
    /// (mhVTL's STK personality pads with spaces then NULs; tgt right-justifies with leading spaces).
    /// </summary>
    public static string DecodeUnitSerialNumber(ReadOnlySpan<byte> data)
    {
        var body = OpenVpd(data, 0x80, Vpd80Context, out _);
        return AsciiText.Trim(body);                                // bytes 4..n PRODUCT SERIAL NUMBER
    }

    /// <summary>
    /// VPD page 83h: the designation descriptors. A descriptor running past the page length throws; one cut by the
    /// end of the received data (small allocation length) is dropped.
    /// </summary>
    public static IReadOnlyList<Designator> DecodeDeviceIdentification(ReadOnlySpan<byte> data)
    {
        var body = OpenVpd(data, 0x83, Vpd83Context, out int declaredBody);
        var list = new List<Designator>();
        int pos = 0;
        while (body.Length - pos >= 4)
        {
            var r = new BigEndianReader(body[pos..], Vpd83Context, 4 + pos);
            byte h0 = r.U8("PROTOCOL IDENTIFIER/CODE SET");        // descriptor byte 0: PROTOCOL IDENTIFIER (7-4) | CODE SET (3-0)
            byte h1 = r.U8("PIV/ASSOCIATION/DESIGNATOR TYPE");     // descriptor byte 1: PIV (7) | ASSOCIATION (5-4) | DESIGNATOR TYPE (3-0)
            r.Skip(1, "reserved");                                  // descriptor byte 2
            int length = r.U8("DESIGNATOR LENGTH");                 // descriptor byte 3
            if (pos + 4 + length > declaredBody)
            {
                throw new ScsiDecodeException(Vpd83Context, "DESIGNATOR LENGTH", 4 + pos + 3,
                    $"designator length {length} runs past the page length {declaredBody}");
            }
            if (length > r.Remaining)
            {
                break;                                              // cut by the allocation length
            }
            var value = r.Bytes(length, "DESIGNATOR").ToArray();   // descriptor bytes 4..n
            list.Add(new Designator((byte)(h0 >> 4), (byte)(h0 & 0x0F), (h1 & 0x80) != 0, (byte)((h1 >> 4) & 0x03), (byte)(h1 & 0x0F), value));
            pos += 4 + length;
        }
        return list;
    }

    /// <summary>Reads the 4-byte VPD header, checks the page code and returns the page body clipped to the data.</summary>
    private static ReadOnlySpan<byte> OpenVpd(ReadOnlySpan<byte> data, byte pageCode, string context, out int declaredBody)
    {
        var r = new BigEndianReader(data, context);
        r.Skip(1, "PERIPHERAL QUALIFIER/DEVICE TYPE");             // byte 0
        byte code = r.U8("PAGE CODE");                              // byte 1
        if (code != pageCode)
        {
            throw new ScsiDecodeException(context, "PAGE CODE", 1, $"page code {code:X2}h is not {pageCode:X2}h");
        }
        declaredBody = r.U16("PAGE LENGTH");                        // bytes 2-3
        int take = Math.Min(declaredBody, r.Remaining);             // bytes past the page length are padding
        return data.Slice(4, take);
    }

    private static string Text(ReadOnlySpan<byte> data, int offset, int length)
    {
        if (data.Length <= offset) return string.Empty;
        return AsciiText.Trim(data.Slice(offset, Math.Min(length, data.Length - offset)));
    }
}
