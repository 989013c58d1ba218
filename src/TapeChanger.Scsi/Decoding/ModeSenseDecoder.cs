namespace TapeChanger.Scsi.Decoding;

/// <summary>
/// Decodes MODE SENSE(6) and MODE SENSE(10) parameter data (SPC-4 §7.5.5): header, block descriptors, then pages.
/// <para>Tolerances:</para>
/// <list type="bullet">
/// <item>Block descriptors are skipped by their declared length (changers return one 8-byte zero descriptor when DBD=0).</item>
/// <item>Pages are walked by their own page length, in any order; the SPF bit selects the 4-byte sub_page header.</item>
/// <item>A reply cut by a small allocation length keeps every complete page and sets <see cref="ModeSenseData.Truncated"/>.</item>
/// <item>Bytes after the declared mode data length are padding and are ignored.</item>
/// <item>HPE MSL3040 fw 3350 counts the MODE DATA LENGTH field itself (it reports 36 for a 36-byte reply), so one
/// length-field's worth of missing bytes (2 for MODE SENSE(10), 1 for (6)) is not reported as truncation;
/// <see cref="ModeSenseData.MissingBytes"/> still says how many were missing.</item>
/// </list>
/// Only a reply too short for its own header throws <see cref="ScsiDecodeException"/>.
/// </summary>
public static class ModeSenseDecoder
{
    private const string Context6 = "MODE SENSE(6) data";
    private const string Context10 = "MODE SENSE(10) data";

    public static ModeSenseData Decode(ReadOnlySpan<byte> data, bool tenByte)
    {
        string context = tenByte ? Context10 : Context6;
        var r = new BigEndianReader(data, context);
        int modeDataLength;
        byte mediumType, deviceSpecific;
        bool longLba = false;
        int blockDescriptorLength;
        int lengthFieldSize;
        if (tenByte)
        {
            modeDataLength = r.U16("MODE DATA LENGTH");              // bytes 0-1
            mediumType = r.U8("MEDIUM TYPE");                        // byte 2
            deviceSpecific = r.U8("DEVICE-SPECIFIC PARAMETER");      // byte 3
            longLba = (r.U8("LONGLBA") & 0x01) != 0;                 // byte 4 bit 0 LONGLBA
            r.Skip(1, "reserved");                                   // byte 5
            blockDescriptorLength = r.U16("BLOCK DESCRIPTOR LENGTH"); // bytes 6-7
            lengthFieldSize = 2;
        }
        else
        {
            modeDataLength = r.U8("MODE DATA LENGTH");               // byte 0
            mediumType = r.U8("MEDIUM TYPE");                        // byte 1
            deviceSpecific = r.U8("DEVICE-SPECIFIC PARAMETER");      // byte 2
            blockDescriptorLength = r.U8("BLOCK DESCRIPTOR LENGTH"); // byte 3
            lengthFieldSize = 1;
        }
        var header = new ModeParameterHeader(modeDataLength, mediumType, deviceSpecific, longLba, blockDescriptorLength);

        // MODE DATA LENGTH excludes itself: the reply is lengthFieldSize + modeDataLength bytes.
        int declaredEnd = lengthFieldSize + modeDataLength;
        int end = Math.Min(data.Length, declaredEnd);              // ignore padding past the declared length
        int missing = Math.Max(0, declaredEnd - data.Length);
        bool truncated = missing > lengthFieldSize;                 // see the MSL3040 note above

        var pages = new List<ModePage>();
        int pos = r.Position + blockDescriptorLength;               // block descriptors are skipped, never decoded
        if (pos > end)
        {
            // The reply ended inside the block descriptors (or they run past the declared length).
            return new ModeSenseData(header, pages, Truncated: true) { MissingBytes = missing };
        }

        while (pos < end)
        {
            int left = end - pos;
            byte b0 = data[pos];                                    // page byte 0: PS (7) | SPF (6) | PAGE CODE (5-0)
            bool spf = (b0 & 0x40) != 0;
            int headerLength = spf ? 4 : 2;
            if (b0 == 0 && data[pos..end].IndexOfAnyExcept((byte)0) < 0)
            {
                break;                                              // zero fill inside the declared length: padding
            }
            if (left < headerLength)
            {
                truncated = true;                                   // a page header cut in half
                break;
            }
            var ph = new BigEndianReader(data[pos..end], context, pos);
            ph.Skip(1, "PAGE CODE");                                // page byte 0 (read above)
            byte subpage = 0;
            int pageLength;
            if (spf)
            {
                subpage = ph.U8("SUBPAGE CODE");                    // sub_page byte 1
                pageLength = ph.U16("PAGE LENGTH");                 // sub_page bytes 2-3
            }
            else
            {
                pageLength = ph.U8("PAGE LENGTH");                  // page_0 byte 1
            }
            int total = headerLength + pageLength;
            if (total > left)
            {
                truncated = true;                                   // the last page is incomplete: drop it
                break;
            }
            pages.Add(new ModePage((byte)(b0 & 0x3F), subpage, (b0 & 0x80) != 0, data.Slice(pos, total).ToArray()));
            pos += total;
        }
        return new ModeSenseData(header, pages, truncated) { MissingBytes = missing };
    }
}

/// <summary>Decoders for the SMC-3 changer mode pages 1Dh, 1Eh and 1Fh (SMC-3 §7.3).</summary>
public static class ChangerModePages
{
    public const byte ElementAddressAssignmentPage = 0x1D;
    public const byte TransportGeometryPage = 0x1E;
    public const byte DeviceCapabilitiesPage = 0x1F;

    /// <summary>Page 1Dh, SMC-3 §7.3.3: PAGE LENGTH must be at least 12h (18).</summary>
    public static ElementAddressAssignment ElementAddressAssignment(ModePage page)
    {
        var r = Open(page, ElementAddressAssignmentPage, "element address assignment page", 0x12);
        var a = new ElementAddressAssignment(
            FirstTransport: r.U16("MEDIUM TRANSPORT ELEMENT ADDRESS"),         // bytes 2-3
            TransportCount: r.U16("NUMBER OF MEDIUM TRANSPORT ELEMENTS"),      // bytes 4-5
            FirstStorage: r.U16("FIRST STORAGE ELEMENT ADDRESS"),              // bytes 6-7
            StorageCount: r.U16("NUMBER OF STORAGE ELEMENTS"),                 // bytes 8-9
            FirstImportExport: r.U16("FIRST IMPORT/EXPORT ELEMENT ADDRESS"),   // bytes 10-11
            ImportExportCount: r.U16("NUMBER OF IMPORT/EXPORT ELEMENTS"),      // bytes 12-13
            FirstDataTransfer: r.U16("FIRST DATA TRANSFER ELEMENT ADDRESS"),   // bytes 14-15
            DataTransferCount: r.U16("NUMBER OF DATA TRANSFER ELEMENTS"));     // bytes 16-17
        // bytes 18-19 reserved
        return a;
    }

    /// <summary>Page 1Eh, SMC-3 §7.3.5: one 2-byte descriptor per medium transport; PAGE LENGTH must be even.</summary>
    public static TransportGeometry TransportGeometry(ModePage page)
    {
        var r = Open(page, TransportGeometryPage, "transport geometry page", 0);
        int pageLength = page.Data[1];
        if (pageLength % 2 != 0)
        {
            throw new ScsiDecodeException("transport geometry page", "PAGE LENGTH", 1, $"page length {pageLength} is not a multiple of the 2-byte descriptor");
        }
        var list = new List<TransportGeometryDescriptor>(pageLength / 2);
        for (int i = 0; i < pageLength / 2; i++)
        {
            byte flags = r.U8("ROTATE");                            // descriptor byte 0 bit 0 ROTATE
            byte member = r.U8("MEMBER NUMBER IN TRANSPORT ELEMENT SET"); // descriptor byte 1
            list.Add(new TransportGeometryDescriptor((flags & 0x01) != 0, member));
        }
        return new TransportGeometry(list);
    }

    /// <summary>Page 1Fh, SMC-3 §7.3.2: PAGE LENGTH must be at least 12h (18).</summary>
    public static DeviceCapabilities DeviceCapabilities(ModePage page)
    {
        var r = Open(page, DeviceCapabilitiesPage, "device capabilities page", 0x12);
        byte stor = r.U8("STORDT/STORIE/STORST/STORMT");            // byte 2
        r.Skip(1, "reserved");                                      // byte 3 (MSL3040 and mhVTL write 07h)
        byte mt = r.U8("MT->");                                     // byte 4 MOVE FROM MT
        byte st = r.U8("ST->");                                     // byte 5 MOVE FROM ST
        byte ie = r.U8("IE->");                                     // byte 6 MOVE FROM IE
        byte dt = r.U8("DT->");                                     // byte 7 MOVE FROM DT
        r.Skip(4, "reserved");                                      // bytes 8-11
        byte xmt = r.U8("MT<>");                                    // byte 12 EXCHANGE FROM MT
        byte xst = r.U8("ST<>");                                    // byte 13 EXCHANGE FROM ST
        byte xie = r.U8("IE<>");                                    // byte 14 EXCHANGE FROM IE
        byte xdt = r.U8("DT<>");                                    // byte 15 EXCHANGE FROM DT
        // bytes 16-19 reserved
        return new DeviceCapabilities((byte)(stor & 0x0F), (byte)(mt & 0x0F), (byte)(st & 0x0F), (byte)(ie & 0x0F), (byte)(dt & 0x0F),
            (byte)(xmt & 0x0F), (byte)(xst & 0x0F), (byte)(xie & 0x0F), (byte)(xdt & 0x0F));
    }

    /// <summary>Checks page code, page_0 format and length; returns a reader positioned at page byte 2.</summary>
    private static BigEndianReader Open(ModePage page, byte expectedCode, string context, int minimumPageLength)
    {
        ArgumentNullException.ThrowIfNull(page);
        var data = page.Data ?? [];
        var r = new BigEndianReader(data, context);
        byte b0 = r.U8("PAGE CODE");                                // byte 0: PS (7) | SPF (6) | PAGE CODE (5-0)
        if (page.PageCode != expectedCode || (b0 & 0x3F) != expectedCode)
        {
            throw new ScsiDecodeException(context, "PAGE CODE", 0, $"page code {(b0 & 0x3F):X2}h (record says {page.PageCode:X2}h) is not {expectedCode:X2}h");
        }
        if ((b0 & 0x40) != 0)
        {
            throw new ScsiDecodeException(context, "SPF", 0, "sub_page format is not defined for this page");
        }
        int pageLength = r.U8("PAGE LENGTH");                       // byte 1
        if (pageLength < minimumPageLength)
        {
            throw new ScsiDecodeException(context, "PAGE LENGTH", 1, $"page length {pageLength} is below the required {minimumPageLength}");
        }
        if (data.Length < 2 + pageLength)
        {
            throw new ScsiDecodeException(context, "page data", data.Length, 2 + pageLength - data.Length, 0);
        }
        return new BigEndianReader(data.AsSpan(2, pageLength), context, 2);
    }
}
