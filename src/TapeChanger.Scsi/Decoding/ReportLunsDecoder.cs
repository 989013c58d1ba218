namespace TapeChanger.Scsi.Decoding;

/// <summary>
/// Decodes REPORT LUNS parameter data (SPC-4 §6.33): an 8-byte header (LUN LIST LENGTH, reserved) and 8-byte entries.
/// Only the first level (bytes 0-1 of each entry) is decoded:
/// peripheral device addressing (00b) gives BUS IDENTIFIER &lt;&lt; 8 | LUN, so bus 0 gives the plain LUN;
/// flat space addressing (01b) gives the 14-bit LUN. Other address methods are returned as the raw first two bytes
/// (≥ 8000h). A list cut by the allocation length returns the complete entries; bytes past the list length are ignored.
/// </summary>
public static class ReportLunsDecoder
{
    private const string Context = "REPORT LUNS data";

    public static IReadOnlyList<int> Decode(ReadOnlySpan<byte> data)
    {
        var r = new BigEndianReader(data, Context);
        uint listLength = r.U32("LUN LIST LENGTH");                 // bytes 0-3
        r.Skip(4, "reserved");                                      // bytes 4-7
        long declaredEnd = 8L + listLength;
        int end = (int)Math.Min(data.Length, declaredEnd);
        var luns = new List<int>();
        for (int pos = 8; pos + 8 <= end; pos += 8)
        {
            byte b0 = data[pos];                                    // entry byte 0: ADDRESS METHOD (7-6) | BUS IDENTIFIER / LUN high bits (5-0)
            byte b1 = data[pos + 1];                                // entry byte 1: LUN (low bits)
            int method = b0 >> 6;
            luns.Add(method is 0 or 1 ? ((b0 & 0x3F) << 8) | b1 : (b0 << 8) | b1);
            // entry bytes 2-7: second to fourth level addressing, not used by changers
        }
        return luns;
    }
}
