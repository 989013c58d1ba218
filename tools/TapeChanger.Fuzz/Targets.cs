using System.Text;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Capture;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport.Iscsi;
using TapeChanger.Transport.Iscsi.Pdu;
using TapeChanger.Transport.Mhvtl.Wire;

namespace TapeChanger.Fuzz;

/// <summary>One decoder under test: what it runs on an input, the one exception type it may throw, and its seed corpus.</summary>
internal sealed record Target(string Name, Type Allowed, Action<byte[]> Run, Func<Corpus, IReadOnlyList<byte[]>> Seeds)
{
    /// <summary>Generator for the "random input" half; random bytes unless the decoder reads text.</summary>
    public Func<Random, byte[]> Random { get; init; } = Mutator.RandomBytes;

    /// <summary>Largest allocation a case may make: 64 bytes per input byte plus 1 MiB, unless a target documents more.</summary>
    public Func<int, long> AllocationBound { get; init; } = len => 64L * len + (1 << 20);
}

/// <summary>The decoders of src/TapeChanger.Scsi/Decoding, Sense, Capture, src/TapeChanger.Transport.Iscsi/Pdu and src/TapeChanger.Transport.Mhvtl/Wire.</summary>
internal static class Targets
{
    private const string HexAlphabet = "0123456789abcdefABCDEF  :|*#.\n\n\r\t\fx0Received  bytes of data:";

    // Synthesised seeds where tests/Fixtures has no capture (built from the spec layouts, not from a device).
    private static readonly byte[][] SyntheticSense =
    [
        // descriptor sense 72h: 05/24/00 + sense-key-specific descriptor (SPC-4 §4.5.2.4.2), field pointer CDB byte 2
        [0x72, 0x05, 0x24, 0x00, 0, 0, 0, 0x08, 0x02, 0x06, 0, 0, 0xC0, 0x00, 0x02, 0],
        // descriptor sense 72h: 02/04/01 + information descriptor (SPC-4 §4.5.2.2) + stream descriptor
        [0x72, 0x02, 0x04, 0x01, 0, 0, 0, 0x10, 0x00, 0x0A, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0x04, 0x02, 0, 0xA0],
    ];

    // REPORT LUNS (SPC-4 §6.33): LUN 0, LUN 1 (peripheral), LUN 300 (flat space).
    private static readonly byte[][] SyntheticReportLuns =
    [
        [0, 0, 0, 0x18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0x2C, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ];

    public static readonly Target[] All =
    [
        new("element-status", typeof(ScsiDecodeException), ElementStatus, c => c.Named("-res-")),
        new("sense", typeof(ScsiDecodeException), Sense, c => [.. c.Named("-sense-"), .. SyntheticSense]),
        new("mode-sense-6", typeof(ScsiDecodeException), d => ModeSense(d, tenByte: false), c => c.Named("modesense")),
        new("mode-sense-10", typeof(ScsiDecodeException), d => ModeSense(d, tenByte: true), c => c.Named("modesense")),
        new("mode-page-1d", typeof(ScsiDecodeException), d => Page(d, ChangerModePages.ElementAddressAssignmentPage), c => c.Pages),
        new("mode-page-1e", typeof(ScsiDecodeException), d => Page(d, ChangerModePages.TransportGeometryPage), c => c.Pages),
        new("mode-page-1f", typeof(ScsiDecodeException), d => Page(d, ChangerModePages.DeviceCapabilitiesPage), c => c.Pages),
        new("inquiry-standard", typeof(ScsiDecodeException), d => _ = InquiryDecoder.DecodeStandard(d), c => c.Named("inquiry-standard")),
        new("inquiry-vpd-00", typeof(ScsiDecodeException), d => _ = InquiryDecoder.DecodeSupportedPages(d), c => c.Named("inquiry-vpd")),
        new("inquiry-vpd-80", typeof(ScsiDecodeException), d => _ = InquiryDecoder.DecodeUnitSerialNumber(d), c => c.Named("inquiry-vpd")),
        new("inquiry-vpd-83", typeof(ScsiDecodeException), Vpd83, c => c.Named("inquiry-vpd")),
        new("log-sense", typeof(ScsiDecodeException), d => _ = LogSenseDecoder.Decode(d), c => c.Named("logsense")),
        new("tapealert", typeof(ScsiDecodeException), TapeAlert, c => c.Named("logsense")),
        new("report-luns", typeof(ScsiDecodeException), d => _ = ReportLunsDecoder.Decode(d), _ => SyntheticReportLuns),
        new("capture-parser", typeof(CaptureFormatException), CaptureText, c => c.CaptureTexts)
        {
            Random = rnd => rnd.Next(2) == 0 ? Mutator.RandomBytes(rnd) : RandomText(rnd, HexAlphabet),
            // A hexdump -C "*" line may repeat up to CaptureParser.MaxRepeatFill (16 MiB) bytes from a tiny input. The
            // output List<byte> grows by doubling past it (buffers of 1..32 MiB, 64 MiB in all) and ToArray copies it
            // (16 MiB): a constant 96 MiB on top of the default, whatever the input length.
            AllocationBound = len => 64L * len + (1 << 20) + (96L << 20),
        },
        new("iscsi-pdu", typeof(IscsiPduException), IscsiPduCase, _ => IscsiSeeds.Pdus),
        new("mhvtl-reply", typeof(MhvtlWireException), MhvtlReplies, _ => MhvtlSeeds.Replies),
        new("iscsi-text", typeof(IscsiPduException), IscsiText, _ => IscsiSeeds.TextSegments)
        {
            Random = rnd => rnd.Next(2) == 0 ? Mutator.RandomBytes(rnd) : RandomText(rnd, "ab=\0=0x0b123,:[]TargetNameAddress.iqn\u00e9"),
        },
    ];

    private static void ElementStatus(byte[] d)
    {
        var r = ElementStatusDecoder.Decode(d);
        _ = r.Truncated;
        _ = r.MoreAvailable;
        foreach (var e in r.Elements)
        {
            // computed members must not throw either
            _ = e.Barcode;
            _ = e.AlternateBarcode;
            _ = e.Identifier?.Text;
            _ = e.Identifier?.SerialNumber;
            _ = e.Identifier?.Vendor;
            _ = e.Identifier?.Product;
        }
    }

    private static void Sense(byte[] d)
    {
        var s = SenseDecoder.Decode(d);
        _ = s.Describe();
        _ = s.Triplet;
    }

    /// <summary>
    /// MODE SENSE, then page extraction as the driver does it: the first page 1Dh, 1Eh and 1Fh through its decoder (each
    /// may throw its decode error). Every page through every decoder would add an exception per 2-byte page and make
    /// the allocation bound measure the harness; the page decoders get their own targets (mode-page-*).
    /// </summary>
    private static void ModeSense(byte[] d, bool tenByte)
    {
        var m = ModeSenseDecoder.Decode(d, tenByte);
        foreach (byte code in new[] { ChangerModePages.ElementAddressAssignmentPage, ChangerModePages.TransportGeometryPage, ChangerModePages.DeviceCapabilitiesPage })
        {
            if (m.Pages.FirstOrDefault(p => p.PageCode == code) is not { } page) continue;
            try { Page(page, code); }
            catch (ScsiDecodeException) { }
        }
    }

    /// <summary>The input as page bytes, once as it is and once with the expected page code planted (so the body is reached).</summary>
    private static void Page(byte[] d, byte code)
    {
        try { Page(new ModePage((byte)(d.Length > 0 ? d[0] & 0x3F : code), 0, false, d), code); }
        catch (ScsiDecodeException) { }
        var planted = (byte[])d.Clone();
        if (planted.Length > 0) planted[0] = (byte)((planted[0] & 0x80) | code);   // PS kept, SPF clear, code set
        Page(new ModePage(code, 0, false, planted), code);
    }

    private static void Page(ModePage p, byte code)
    {
        switch (code)
        {
            case ChangerModePages.ElementAddressAssignmentPage: _ = ChangerModePages.ElementAddressAssignment(p); break;
            case ChangerModePages.TransportGeometryPage: _ = ChangerModePages.TransportGeometry(p); break;
            default: _ = ChangerModePages.DeviceCapabilities(p); break;
        }
    }

    private static void Vpd83(byte[] d)
    {
        foreach (var x in InquiryDecoder.DecodeDeviceIdentification(d))
        {
            _ = x.Text;
            _ = x.TypeName;
        }
    }

    private static void TapeAlert(byte[] d)
    {
        try { _ = TapeAlertDecoder.Decode(d, TapeAlertSource.Drive); }
        catch (ScsiDecodeException) { }
        _ = TapeAlertDecoder.Decode(d, TapeAlertSource.Changer);
    }

    /// <summary>File bytes through ParseBytesOrText (binary or UTF-8 text) and, as Latin-1 text, through Parse.</summary>
    private static void CaptureText(byte[] d)
    {
        try { _ = CaptureParser.ParseBytesOrText(d); }
        catch (CaptureFormatException) { }
        _ = CaptureParser.Parse(Encoding.Latin1.GetString(d));
    }

    private static void IscsiPduCase(byte[] d)
    {
        var pdu = IscsiPdu.Decode(d, out int consumed);
        if (consumed > d.Length || consumed < IscsiConstants.BhsLength) throw new InvalidOperationException($"consumed {consumed} of {d.Length} bytes");
        switch (pdu)
        {
            case ScsiResponsePdu r: _ = r.Sense(); break;
            case LoginResponsePdu or TextResponsePdu or LoginRequestPdu or TextRequestPdu: _ = TextParameters.Parse(pdu.Data); break;
            case RejectPdu j: _ = j.RejectedItt; break;
            case NopInPdu n: _ = IscsiLun.Decode(n.Lun); break;
            case DataInPdu i: _ = IscsiLun.Decode(i.Lun); break;
        }
        _ = IscsiPdu.Decode(d.AsSpan(0, consumed));   // the exact-length overload on the same PDU
    }

    /// <summary>Login/Text data segment: key=value parsing, then what the initiator does with the values.</summary>
    /// <summary>A stream of daemon replies, walked as the mhvtl: transport reads it: header, checks, fixed body, data.</summary>
    private static void MhvtlReplies(byte[] d)
    {
        var span = d.AsSpan();
        while (span.Length >= MhvtlWire.HeaderLength)
        {
            var (type, length) = MhvtlWire.ReadHeader(span);
            var kind = MhvtlWire.CheckReplyHeader(type, length);
            span = span[MhvtlWire.HeaderLength..];
            if (kind == MhvtlMessageType.DataRequest)
            {
                _ = MhvtlWire.ReadDataRequest(span);
                span = span[(MhvtlWire.DataRequestLength - MhvtlWire.HeaderLength)..];
                continue;
            }
            var r = MhvtlWire.ReadCdbResponse(span, length);
            _ = MhvtlWire.TrimSense(r.Sense);
            span = span[(int)Math.Min((uint)span.Length, length)..];
        }
    }

    private static void IscsiText(byte[] d)
    {
        var keys = TextParameters.Parse(d, "Login Response");
        _ = IscsiDiscovery.ParseSendTargets(keys);
        foreach (var (_, v) in keys)
        {
            _ = Chap.FromBinary(v);
            _ = Chap.TryParseNumber(v, out _);
            _ = IscsiDiscovery.ParsePortal(v);
        }
    }

    private static byte[] RandomText(Random rnd, string alphabet)
    {
        int len = rnd.Next(4) == 0 ? rnd.Next(0, 4000) : rnd.Next(0, 200);
        var sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) sb.Append(alphabet[rnd.Next(alphabet.Length)]);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}

/// <summary>Seeds for the mhvtl: reply stream: a DATA-REQ, then a CHECK CONDITION response with sense and 8 bytes of DATA-IN.</summary>
internal static class MhvtlSeeds
{
    public static byte[][] Replies
    {
        get
        {
            var req = new byte[24];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(req, 6);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(req.AsSpan(4), 16);
            req[8] = 1;
            req[16] = 12;
            var resp = new byte[128];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(resp, 5);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(resp.AsSpan(4), 120);
            resp[8] = 1;
            resp[16] = 2;
            resp[17] = 0x70; resp[19] = 0x05; resp[24] = 0x0A; resp[29] = 0x24;
            resp[116] = 8;
            return [req, resp, [.. req, .. resp]];
        }
    }
}

/// <summary>Seeds for the iSCSI targets: one PDU of every opcode the codec knows, built with the codec's own records.</summary>
internal static class IscsiSeeds
{
    private static readonly byte[] Isid = [0x80, 0x01, 0x02, 0x03, 0x00, 0x00];

    public static readonly byte[][] TextSegments =
    [
        TextParameters.Encode(("TargetName", "iqn.2026-11.example:changer"), ("TargetAddress", "10.0.0.1:3260,1"), ("TargetAddress", "[fe80::1]:3261,2")),
        TextParameters.Encode(("CHAP_A", "5"), ("CHAP_I", "0x2a"), ("CHAP_C", "0x0123456789abcdef"), ("CHAP_N", "user"), ("CHAP_R", "0bAQIDBA==")),
        TextParameters.Encode(("HeaderDigest", "None"), ("MaxRecvDataSegmentLength", "262144"), ("MaxBurstLength", "16776192"), ("InitialR2T", "Yes"), ("TargetPortalGroupTag", "1")),
        [.. Encoding.UTF8.GetBytes("SendTargets=All")],   // no final NUL (tolerated)
    ];

    public static readonly byte[][] Pdus =
    [
        new NopOutPdu(false, IscsiLun.Encode(1), 1, IscsiConstants.ReservedTag, 2, 3) { Data = [9] }.Encode(),
        new NopInPdu(IscsiLun.Encode(1), 1, 5, 2, 3, 4).Encode(),
        new ScsiCommandPdu(true, true, true, false, 1, IscsiLun.Encode(300), 7, 1024, 8, 9, [0xB8, 0x10, 0, 0, 0, 0x27, 0, 0, 0x04, 0, 0, 0]).Encode(),
        new ScsiResponsePdu(false, false, false, true, 0, 0x02, 1, 0, 3, 4, 5, 0, 0, 8)
            { Data = ScsiResponsePdu.SenseSegment([0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x3B, 0x0D, 0, 0, 0, 0]) }.Encode(),
        new DataInPdu(true, false, false, true, true, 0, 0, 1, IscsiConstants.ReservedTag, 3, 4, 5, 0, 0, 8) { Data = new byte[24] }.Encode(),
        new DataOutPdu(true, 0, 1, 2, 3, 4, 5) { Data = new byte[7] }.Encode(),
        new R2TPdu(0, 1, 2, 3, 4, 5, 6, 7, 8).Encode(),
        new LoginRequestPdu(true, false, LoginStage.SecurityNegotiation, LoginStage.OperationalNegotiation, 0, 0, Isid, 0, 1, 0, 2, 3)
            { Data = TextParameters.Encode(("InitiatorName", "iqn.2026-11.example:init"), ("SessionType", "Normal"), ("AuthMethod", "CHAP,None")) }.Encode(),
        new LoginResponsePdu(true, false, LoginStage.OperationalNegotiation, LoginStage.FullFeaturePhase, 0, 0, Isid, 9, 1, 2, 3, 4, 0, 0)
            { Data = TextSegments[2] }.Encode(),
        new LoginResponsePdu(false, false, LoginStage.SecurityNegotiation, LoginStage.SecurityNegotiation, 0, 0, Isid, 0, 1, 2, 3, 4, 0, 0)
            { Data = TextSegments[1] }.Encode(),
        new TextRequestPdu(false, true, false, 0, 1, IscsiConstants.ReservedTag, 2, 3) { Data = TextParameters.Encode(("SendTargets", "All")) }.Encode(),
        new TextResponsePdu(true, false, 0, 1, 2, 3, 4, 5) { Data = TextSegments[0] }.Encode(),
        new LogoutRequestPdu(false, LogoutReason.CloseConnection, 1, 2, 3, 4).Encode(),
        new LogoutResponsePdu(0, 1, 2, 3, 4, 5, 6).Encode(),
        new AsyncMessagePdu(0, 1, 2, 3, AsyncEvent.ConnectionDrop, 0, 1, 2, 3).Encode(),
        new RejectPdu(4, 1, 2, 3, 4) { Data = new NopOutPdu(false, 0, 7, IscsiConstants.ReservedTag, 2, 3).Encode()[..IscsiConstants.BhsLength] }.Encode(),
        // AHS present: one 8-byte extended-CDB style AHS (RFC 7143 §11.2.2)
        new NopOutPdu(false, 0, 1, IscsiConstants.ReservedTag, 2, 3) { Ahs = [0x00, 0x05, 0x01, 0x00, 1, 2, 3, 4] }.Encode(),
    ];
}

/// <summary>The real captures of tests/Fixtures, by file name, plus forms derived from them.</summary>
internal sealed class Corpus
{
    private readonly List<(string Name, byte[] Bytes, byte[] FileText)> _files = [];

    public Corpus(string directory)
    {
        foreach (var path in Directory.EnumerateFiles(directory, "*.hex").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllBytes(path);
            _files.Add((Path.GetFileName(path), CaptureParser.ParseBytesOrText(text), text));
        }
        if (_files.Count == 0) throw new InvalidOperationException($"no *.hex captures in {directory}");
        Pages = ExtractPages();
        CaptureTexts = [.. _files.Select(f => f.FileText), .. _files.SelectMany(f => Dumps.All(f.Bytes))];
    }

    public IReadOnlyList<string> FileNames => _files.Select(f => f.Name).ToList();

    /// <summary>Every capture's bytes (the splice partner pool).</summary>
    public IReadOnlyList<byte[]> Everything => _files.Select(f => f.Bytes).ToList();

    /// <summary>Mode pages (header + body) cut out of the MODE SENSE captures.</summary>
    public IReadOnlyList<byte[]> Pages { get; }

    /// <summary>Capture files as text, plus each capture rendered as xxd, hexdump -C and sg3_utils dumps.</summary>
    public IReadOnlyList<byte[]> CaptureTexts { get; }

    public IReadOnlyList<byte[]> Named(string part) => _files.Where(f => f.Name.Contains(part, StringComparison.Ordinal)).Select(f => f.Bytes).ToList();

    private List<byte[]> ExtractPages()
    {
        var pages = new List<byte[]>();
        foreach (var f in _files.Where(f => f.Name.Contains("modesense", StringComparison.Ordinal)))
        {
            bool ten = f.Name.Contains("modesense10", StringComparison.Ordinal);
            pages.AddRange(ModeSenseDecoder.Decode(f.Bytes, ten).Pages.Select(p => p.Data));
        }
        return pages;
    }
}

/// <summary>Renders bytes in the dump formats CaptureParser reads, so the parser's line kinds all get seeds.</summary>
internal static class Dumps
{
    public static IEnumerable<byte[]> All(byte[] data)
    {
        yield return Encoding.ASCII.GetBytes(Xxd(data));
        yield return Encoding.ASCII.GetBytes(HexdumpC(data));
        yield return Encoding.ASCII.GetBytes(Sg(data));
        // hexdump -C folds repeated lines into "*" (the parser refills them, up to its 16 MiB limit)
        if (data.Length >= 16) yield return Encoding.ASCII.GetBytes(HexdumpC([.. data[..16], .. data[..16], .. data[..16], .. data]));
    }

    private static string Xxd(byte[] d)
    {
        var sb = new StringBuilder();
        for (int o = 0; o < d.Length; o += 16)
        {
            sb.Append($"{o:x8}:");
            for (int i = o; i < Math.Min(o + 16, d.Length); i += 2)
            {
                sb.Append(' ').Append($"{d[i]:x2}");
                if (i + 1 < d.Length && i + 1 < o + 16) sb.Append($"{d[i + 1]:x2}");
            }
            sb.Append("  ................\n");
        }
        return sb.ToString();
    }

    /// <summary>hexdump -C, with a line equal to the one before printed once as "*", as hexdump does.</summary>
    private static string HexdumpC(byte[] d)
    {
        var sb = new StringBuilder();
        bool starred = false;
        for (int o = 0; o < d.Length; o += 16)
        {
            if (o >= 16 && d.Length - o >= 16 && d.AsSpan(o, 16).SequenceEqual(d.AsSpan(o - 16, 16)))
            {
                if (!starred) sb.Append("*\n");
                starred = true;
                continue;
            }
            starred = false;
            sb.Append($"{o:x8} ");
            for (int i = o; i < Math.Min(o + 16, d.Length); i++) sb.Append($" {d[i]:x2}");
            sb.Append("  |................|\n");
        }
        sb.Append($"{d.Length:x8}\n");
        return sb.ToString();
    }

    private static string Sg(byte[] d)
    {
        var sb = new StringBuilder($"    Received {d.Length} bytes of data:\n");
        for (int o = 0; o < d.Length; o += 16)
        {
            sb.Append($" {o:x2}    ");
            for (int i = o; i < Math.Min(o + 16, d.Length); i++) sb.Append($" {d[i]:x2}");
            sb.Append("    ................\n");
        }
        return sb.ToString();
    }
}
