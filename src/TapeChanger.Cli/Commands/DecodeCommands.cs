using System.Buffers.Binary;
using System.CommandLine;
using System.Text;
using TapeChanger.Cli.Output;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Capture;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using static TapeChanger.Cli.TapeChangerCli;

namespace TapeChanger.Cli.Commands;

/// <summary>
/// `decode ...`: offline decoding of captured bytes (raw binary, hex pairs with # comments, xxd, hexdump -C,
/// sg_raw "Received N bytes" dumps), so a support engineer can paste what a user sent.
/// </summary>
internal static class DecodeCommands
{
    public static Command Build()
    {
        var decode = new Command("decode", "Decode captured SCSI reply bytes from FILE ('-' for stdin), offline.");
        decode.Subcommands.Add(ElementStatus());
        decode.Subcommands.Add(Sense());
        decode.Subcommands.Add(Inquiry());
        decode.Subcommands.Add(ModeSense());
        decode.Subcommands.Add(LogSense());
        return decode;
    }

    private static Argument<string> FileArgument() => new("FILE") { Description = "Capture file: binary, hex, xxd, hexdump -C or sg_raw output; '-' reads stdin." };

    private static byte[] Read(string file)
    {
        byte[] raw;
        if (file == "-")
        {
            using var stdin = Console.OpenStandardInput();
            using var ms = new MemoryStream();
            stdin.CopyTo(ms);
            raw = ms.ToArray();
        }
        else
        {
            if (Directory.Exists(file)) throw new UsageException($"{file} is a directory, not a capture file") { ExitCode = ExitCodes.NoInput };
            if (!File.Exists(file)) throw new FileNotFoundException($"input file not found: {file}", file);
            raw = File.ReadAllBytes(file);
        }
        string name = file == "-" ? "stdin" : file;
        byte[] bytes;
        try
        {
            bytes = CaptureParser.ParseBytesOrText(raw);
        }
        catch (CaptureFormatException e)
        {
            throw new UsageException($"{name}: {e.Message}") { ExitCode = ExitCodes.DataError };
        }
        if (bytes.Length == 0) throw new UsageException($"{name} holds no bytes to decode") { ExitCode = ExitCodes.DataError };
        return bytes;
    }

    private static Command ElementStatus()
    {
        var file = FileArgument();
        var cmd = new Command("element-status", "Decode READ ELEMENT STATUS data.") { file };
        cmd.SetAction(Handler((ctx, p, _) =>
        {
            var r = ElementStatusDecoder.Decode(Read(p.GetValue(file)!));
            var doc = new ElementStatusDocument(r.FirstElementAddress, r.ElementsAvailable, r.DeclaredByteCount, r.BytesReceived, r.MissingBytes, r.Truncated,
                r.Pages.Select(pg => new PageJson(JsonMapper.TypeName(pg.Type), pg.PrimaryVolumeTag, pg.AlternateVolumeTag, pg.DescriptorLength, pg.DeclaredByteCount, pg.DescriptorsDecoded, pg.Truncated)).ToList(),
                r.Elements.Select(JsonMapper.ToJson).ToList());
            var sb = new StringBuilder();
            sb.AppendLine($"Header: first element {r.FirstElementAddress}, {r.ElementsAvailable} element(s) available, byte count {r.DeclaredByteCount}, {r.BytesReceived} byte(s) received");
            if (r.MissingBytes > 0) sb.AppendLine($"Note: reply is {r.MissingBytes} byte(s) shorter than its byte count (truncated; complete descriptors decoded)");
            foreach (var pg in r.Pages)
            {
                sb.AppendLine($"Page {JsonMapper.TypeName(pg.Type)}: descriptor length {pg.DescriptorLength}, {pg.DescriptorsDecoded} descriptor(s){(pg.PrimaryVolumeTag ? ", primary volume tag" : "")}{(pg.AlternateVolumeTag ? ", alternate volume tag" : "")}{(pg.Truncated ? ", TRUNCATED" : "")}");
            }
            foreach (var d in r.Elements)
            {
                var flags = new List<string>();
                if (d.Full) flags.Add("full");
                if (d.ImpExp) flags.Add("impexp");
                if (d.Except) flags.Add($"except {d.Asc:X2}/{d.Ascq:X2} ({AscAscqTable.Describe(d.Asc, d.Ascq)})");
                if (d.Access) flags.Add("access");
                if (d.ExEnab) flags.Add("exenab");
                if (d.InEnab) flags.Add("inenab");
                sb.Append($"  {JsonMapper.TypeName(d.Type),-13} {d.Address,5}  {string.Join(",", flags),-28}");
                if (d.Barcode is not null) sb.Append($" barcode {d.Barcode}");
                if (d.AlternateBarcode is not null) sb.Append($" alt {d.AlternateBarcode}");
                if (d.Full) sb.Append($" medium {JsonMapper.MediumName(d.MediumType)}");
                if (d.SourceAddress is ushort s) sb.Append($" source {s}");
                if (d.Identifier is not null) sb.Append($" id \"{d.Identifier.Text}\"");
                if (d.Partial) sb.Append(" (partial)");
                sb.AppendLine();
            }
            ctx.Emit(doc, static () => CliJsonContext.Default.ElementStatusDocument, sb.ToString().TrimEnd());
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static Command Sense()
    {
        var file = FileArgument();
        var cmd = new Command("sense", "Decode fixed (70h/71h) or descriptor (72h/73h) sense data.") { file };
        cmd.SetAction(Handler((ctx, p, _) =>
        {
            var s = SenseDecoder.Decode(Read(p.GetValue(file)!));
            var doc = new SenseDocument(s.ResponseCode, s.DescriptorFormat ? "descriptor" : "fixed", s.Deferred, s.KeyName, (int)s.Key, s.Asc, s.Ascq,
                s.Meaning, s.Describe(), s.Information, s.FieldPointer?.InCdb, s.FieldPointer?.ByteIndex, s.FieldPointer?.BitIndex, s.Progress);
            var text = $"{s.Describe()}\n{(s.DescriptorFormat ? "descriptor" : "fixed")} format, response code {s.ResponseCode:X2}h{(s.Deferred ? " (deferred)" : "")}"
                + (s.Information is uint i ? $", information {i}" : "")
                + (s.Progress is int pr ? $", progress {pr * 100.0 / 65536:F1}%" : "");
            ctx.Emit(doc, static () => CliJsonContext.Default.SenseDocument, text);
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static Command Inquiry()
    {
        var file = FileArgument();
        var vpd = new Option<string?>("--vpd") { Description = "Decode as VPD page 00, 80 or 83 (hex) instead of standard INQUIRY data." };
        var cmd = new Command("inquiry", "Decode standard INQUIRY data or a VPD page (00h, 80h, 83h).") { file, vpd };
        cmd.SetAction(Handler((ctx, p, _) =>
        {
            var bytes = Read(p.GetValue(file)!);
            InquiryDecodeDocument doc;
            string text;
            switch (p.GetValue(vpd)?.ToLowerInvariant())
            {
                case null:
                    var s = InquiryDecoder.DecodeStandard(bytes);
                    doc = new InquiryDecodeDocument("standard", s.PeripheralDeviceType, s.Vendor, s.Product, s.Revision, s.VendorSpecific,
                        s.VersionDescriptors.Select(v => (int)v).ToList(), null, null, null, s.Truncated);
                    text = $"Device type {s.PeripheralDeviceType:X2}h{(s.IsMediumChanger ? " (medium changer)" : s.IsTapeDrive ? " (tape drive)" : "")}, removable {s.Removable}\n"
                        + $"Vendor {s.Vendor}, product {s.Product}, revision {s.Revision}"
                        + (s.VendorSpecific is { Length: > 0 } vs ? $"\nVendor specific: {vs}" : "")
                        + (s.VersionDescriptors.Count > 0 ? $"\nVersion descriptors: {string.Join(' ', s.VersionDescriptors.Select(v => v.ToString("x4")))}" : "");
                    break;
                case "0" or "00" or "0x00":
                    var pages = InquiryDecoder.DecodeSupportedPages(bytes);
                    doc = new InquiryDecodeDocument("vpd00", bytes[0] & 0x1F, null, null, null, null, null, pages.Select(x => (int)x).ToList(), null, null, false);
                    text = "Supported VPD pages: " + string.Join(' ', pages.Select(x => x.ToString("x2")));
                    break;
                case "80" or "0x80":
                    var serial = InquiryDecoder.DecodeUnitSerialNumber(bytes);
                    doc = new InquiryDecodeDocument("vpd80", bytes[0] & 0x1F, null, null, null, null, null, null, serial, null, false);
                    text = $"Unit serial number: {serial}";
                    break;
                case "83" or "0x83":
                    var ds = InquiryDecoder.DecodeDeviceIdentification(bytes);
                    doc = new InquiryDecodeDocument("vpd83", bytes[0] & 0x1F, null, null, null, null, null, null, null,
                        ds.Select(d => new DesignatorJson(d.TypeName, d.CodeSet, d.Association, d.Text)).ToList(), false);
                    text = string.Join('\n', ds.Select(d => $"{d.TypeName} (association {d.Association}): {d.Text}"));
                    break;
                default:
                    throw new UsageException($"--vpd must be 00, 80 or 83, not '{p.GetValue(vpd)}'");
            }
            ctx.Emit(doc, static () => CliJsonContext.Default.InquiryDecodeDocument, text);
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static Command ModeSense()
    {
        var file = FileArgument();
        var variant = new Option<int?>("--cdb-size") { Description = "6 or 10: which MODE SENSE produced the data (default: detect from the header length)." };
        var cmd = new Command("mode-sense", "Decode MODE SENSE(6)/(10) data; pages 1Dh, 1Eh and 1Fh are decoded in full.") { file, variant };
        cmd.SetAction(Handler((ctx, p, _) =>
        {
            var bytes = Read(p.GetValue(file)!);
            bool ten = p.GetValue(variant) switch
            {
                6 => false,
                10 => true,
                null => DetectTenByte(bytes),
                var v => throw new UsageException($"--cdb-size must be 6 or 10, not {v}"),
            };
            var m = ModeSenseDecoder.Decode(bytes, ten);
            var pages = new List<ModePageJson>();
            var sb = new StringBuilder();
            sb.AppendLine($"MODE SENSE({(ten ? 10 : 6)}): mode data length {m.Header.ModeDataLength}, device-specific {m.Header.DeviceSpecific:X2}h, block descriptors {m.Header.BlockDescriptorLength} byte(s){(m.Truncated ? ", TRUNCATED" : "")}");
            foreach (var page in m.Pages)
            {
                var pj = new ModePageJson(page.PageCode, page.Subpage, page.ParametersSaveable, Convert.ToHexString(page.Data).ToLowerInvariant(), PageName(page.PageCode));
                sb.AppendLine($"Page {page.PageCode:X2}h{(page.Subpage != 0 ? $"/{page.Subpage:X2}h" : "")} {PageName(page.PageCode) ?? ""}: {Convert.ToHexString(page.Data).ToLowerInvariant()}");
                switch (page.PageCode)
                {
                    case 0x1D:
                        var a = ChangerModePages.ElementAddressAssignment(page);
                        pj = pj with { ElementAddressAssignment = JsonMapper.ToJson(a) };
                        sb.AppendLine($"  transport {a.FirstTransport} x{a.TransportCount}, storage {a.FirstStorage} x{a.StorageCount}, import/export {a.FirstImportExport} x{a.ImportExportCount}, data transfer {a.FirstDataTransfer} x{a.DataTransferCount}");
                        break;
                    case 0x1E:
                        var g = ChangerModePages.TransportGeometry(page);
                        pj = pj with { Rotate = g.Transports.Select(t => t.Rotate).ToList() };
                        sb.AppendLine($"  {g.Transports.Count} transport(s); rotate: {string.Join(", ", g.Transports.Select(t => t.Rotate ? "yes" : "no"))}");
                        break;
                    case 0x1F:
                        var c = JsonMapper.ToJson(ChangerModePages.DeviceCapabilities(page));
                        pj = pj with { Capabilities = c };
                        sb.AppendLine($"  store in: {string.Join(", ", c.Storage)}; exchange {(c.Exchange ? "supported" : "not supported")}");
                        foreach (var (from, to) in c.MoveFrom) sb.AppendLine($"  move from {from,-13} to: {(to.Count == 0 ? "-" : string.Join(", ", to))}");
                        break;
                }
                pages.Add(pj);
            }
            var doc = new ModeSenseDocument(ten ? "10" : "6", m.Header.ModeDataLength, m.Header.DeviceSpecific, m.Header.BlockDescriptorLength, m.Truncated, pages);
            ctx.Emit(doc, static () => CliJsonContext.Default.ModeSenseDocument, sb.ToString().TrimEnd());
            return Task.CompletedTask;
        }));
        return cmd;
    }

    /// <summary>MODE SENSE(10) data starts with a 2-byte length equal to the rest of the reply; (6) with a 1-byte one.</summary>
    private static bool DetectTenByte(byte[] b)
    {
        if (b.Length >= 8 && BinaryPrimitives.ReadUInt16BigEndian(b) + 2 == b.Length) return true;
        if (b[0] + 1 == b.Length) return false;
        return b.Length >= 8 && b[0] == 0;      // a (10) header's length MSB is almost always 0
    }

    private static string? PageName(byte code) => code switch
    {
        0x02 => "disconnect-reconnect",
        0x0A => "control",
        0x1A => "power condition",
        0x1C => "informational exceptions control",
        0x1D => "element address assignment",
        0x1E => "transport geometry parameters",
        0x1F => "device capabilities",
        _ => null,
    };

    private static Command LogSense()
    {
        var file = FileArgument();
        var source = new Option<string>("--source") { Description = "TapeAlert flag table for page 2Eh: drive (SSC) or changer (SMC).", DefaultValueFactory = _ => "drive" };
        source.AcceptOnlyFromAmong("drive", "changer");
        var cmd = new Command("log-sense", "Decode a LOG SENSE page; page 2Eh shows the active TapeAlert flags by name.") { file, source };
        cmd.SetAction(Handler((ctx, p, _) =>
        {
            var bytes = Read(p.GetValue(file)!);
            var page = LogSenseDecoder.Decode(bytes);
            IReadOnlyList<TapeAlertJson>? alerts = null;
            var sb = new StringBuilder();
            sb.AppendLine($"Log page {page.PageCode:X2}h{(page.Subpage != 0 ? $"/{page.Subpage:X2}h" : "")}: {page.Parameters.Count} parameter(s){(page.Truncated ? ", TRUNCATED" : "")}");
            if (page.PageCode == 0x2E)
            {
                var ta = TapeAlertDecoder.Decode(bytes, p.GetValue(source) == "changer" ? TapeAlertSource.Changer : TapeAlertSource.Drive);
                alerts = ta.Active.Select(f => new TapeAlertJson(f.Number, f.Name)).ToList();
                sb.AppendLine(ta.Active.Count == 0 ? "No TapeAlert flags set." : "TapeAlert flags set:");
                foreach (var f in ta.Active) sb.AppendLine($"  {f.Number,2} ({f.Number:X2}h) {f.Name}");
            }
            else
            {
                foreach (var prm in page.Parameters) sb.AppendLine($"  {prm.Code:x4} ctl {prm.Control:x2}: {Convert.ToHexString(prm.Value).ToLowerInvariant()}");
            }
            var doc = new LogSenseDocument(page.PageCode, page.Subpage, page.Truncated,
                page.Parameters.Select(x => new LogParameterJson(x.Code, x.Control, Convert.ToHexString(x.Value).ToLowerInvariant())).ToList(), alerts);
            ctx.Emit(doc, static () => CliJsonContext.Default.LogSenseDocument, sb.ToString().TrimEnd());
            return Task.CompletedTask;
        }));
        return cmd;
    }
}
