using System.Text;
using FsCheck;
using TapeChanger.Scsi.Capture;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Scsi.Tests;

/// <summary>
/// Property tests: every decoder either succeeds or throws <see cref="ScsiDecodeException"/> (the capture parser:
/// <see cref="CaptureFormatException"/>), on random bytes and on mutated real captures.
/// Case count: <see cref="Fuzz.Cases"/> (env TAPECHANGER_FUZZ_CASES).
/// </summary>
public class FuzzTests
{
    private static readonly (string Name, Action<byte[]> Run)[] Decoders =
    [
        ("ElementStatusDecoder", d => Touch(ElementStatusDecoder.Decode(d))),
        ("SenseDecoder", d => Touch(SenseDecoder.Decode(d))),
        ("ModeSenseDecoder(6)", d => DecodeModeWithPages(d, false)),
        ("ModeSenseDecoder(10)", d => DecodeModeWithPages(d, true)),
        ("InquiryDecoder.DecodeStandard", d => Touch(InquiryDecoder.DecodeStandard(d))),
        ("InquiryDecoder.DecodeSupportedPages", d => Touch(InquiryDecoder.DecodeSupportedPages(d))),
        ("InquiryDecoder.DecodeUnitSerialNumber", d => Touch(InquiryDecoder.DecodeUnitSerialNumber(d))),
        ("InquiryDecoder.DecodeDeviceIdentification", d => Touch(InquiryDecoder.DecodeDeviceIdentification(d).Select(x => x.Text + x.TypeName).ToList())),
        ("LogSenseDecoder", d => Touch(LogSenseDecoder.Decode(d))),
        ("TapeAlertDecoder(drive)", d => Touch(TapeAlertDecoder.Decode(d, TapeAlertSource.Drive))),
        ("TapeAlertDecoder(changer)", d => Touch(TapeAlertDecoder.Decode(d, TapeAlertSource.Changer))),
        ("ReportLunsDecoder", d => Touch(ReportLunsDecoder.Decode(d))),
        // the changer page decoders on the bytes as a page, with the expected code planted so the body is reached
        ("ChangerModePages.ElementAddressAssignment", d => Touch(ChangerModePages.ElementAddressAssignment(Planted(d, 0x1D)))),
        ("ChangerModePages.TransportGeometry", d => Touch(ChangerModePages.TransportGeometry(Planted(d, 0x1E)))),
        ("ChangerModePages.DeviceCapabilities", d => Touch(ChangerModePages.DeviceCapabilities(Planted(d, 0x1F)))),
    ];

    private static ModePage Planted(byte[] d, byte code)
    {
        var b = d.ToArray();
        if (b.Length > 0) b[0] = (byte)((b[0] & 0x80) | code);
        return new ModePage(code, 0, false, b);
    }

    private static readonly Lazy<byte[][]> Captures = new(() => Fixture.All().Select(Fixture.Load).ToArray());

    private static void Touch(object o)
    {
        // Exercise computed members too (Describe, Text...), which must not throw either.
        switch (o)
        {
            case SenseData s: _ = s.Describe(); break;
            case ElementStatusReport r:
                foreach (var e in r.Elements) { _ = e.Barcode; _ = e.Identifier?.Text; _ = e.Identifier?.SerialNumber; }
                _ = r.MoreAvailable;
                break;
        }
    }

    private static void DecodeModeWithPages(byte[] d, bool tenByte)
    {
        var m = ModeSenseDecoder.Decode(d, tenByte);
        foreach (var p in m.Pages) ChangerPages(p);
    }

    private static void ChangerPages(ModePage p)
    {
        ExpectOnlyDecodeErrors(() => ChangerModePages.ElementAddressAssignment(p));
        ExpectOnlyDecodeErrors(() => ChangerModePages.TransportGeometry(p));
        ExpectOnlyDecodeErrors(() => ChangerModePages.DeviceCapabilities(p));
    }

    private static void ExpectOnlyDecodeErrors(Action a)
    {
        try { a(); }
        catch (ScsiDecodeException) { }
    }

    private static void AllDecoders(byte[] data)
    {
        foreach (var (name, run) in Decoders)
        {
            try { run(data); }
            catch (ScsiDecodeException) { }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"{name} threw {ex.GetType().Name} on {Convert.ToHexString(data)}: {ex}");
            }
        }
    }

    /// <summary>
    /// Applies 1-4 mutations chosen by <paramref name="seed"/>: bit flips, truncation, length-byte changes, extension,
    /// splicing with <paramref name="other"/>, chunk duplication (tools/TapeChanger.Fuzz has the full set).
    /// </summary>
    internal static byte[] Mutate(byte[] original, int seed, byte[]? other = null)
    {
        var rnd = new Random(seed);
        var d = original.ToList();
        int n = rnd.Next(1, 5);
        for (int i = 0; i < n && d.Count > 0; i++)
        {
            switch (rnd.Next(8))
            {
                case 6 when other is { Length: > 0 }: { int keep = rnd.Next(d.Count + 1); d = [.. d.Take(keep), .. other.Skip(rnd.Next(other.Length))]; break; } // splice
                case 7: { int p = rnd.Next(d.Count); d.InsertRange(rnd.Next(d.Count + 1), d.GetRange(p, rnd.Next(1, Math.Min(d.Count - p, 64) + 1))); break; } // chunk duplication
                case 0: { int p = rnd.Next(d.Count); d[p] ^= (byte)(1 << rnd.Next(8)); break; }          // bit flip
                case 1: { int p = rnd.Next(d.Count); d.RemoveRange(p, rnd.Next(d.Count - p + 1)); break; }   // cut a range out
                case 2: { int p = rnd.Next(Math.Min(d.Count, 16)); d[p] = (byte)rnd.Next(256); break; } // header / length byte
                case 3: { int p = rnd.Next(d.Count); d[p] = rnd.Next(2) == 0 ? (byte)0x00 : (byte)0xFF; break; }
                case 4: d.AddRange(Enumerable.Range(0, rnd.Next(1, 64)).Select(_ => (byte)rnd.Next(256))); break; // trailing garbage
                default: d = d.Take(rnd.Next(d.Count + 1)).ToList(); break;                                // truncation
            }
        }
        return d.ToArray();
    }

    [FuzzProperty]
    public void Decoders_on_random_bytes(byte[] data) => AllDecoders(data ?? []);

    [FuzzProperty]
    public void Decoders_on_mutated_captures(NonNegativeInt pick, NonNegativeInt partner, int seed)
    {
        var caps = Captures.Value;
        AllDecoders(Mutate(caps[pick.Get % caps.Length], seed, caps[partner.Get % caps.Length]));
    }

    [FuzzProperty]
    public void Decoders_on_every_truncation_of_a_capture(NonNegativeInt pick, NonNegativeInt cut)
    {
        var caps = Captures.Value;
        var c = caps[pick.Get % caps.Length];
        AllDecoders(c[..(cut.Get % (c.Length + 1))]);
    }

    [FuzzProperty]
    public void Changer_pages_from_random_bytes(byte code, byte sub, bool ps, byte[] data)
    {
        data ??= [];
        foreach (var c in new[] { code, (byte)0x1D, (byte)0x1E, (byte)0x1F })
        {
            // also plant the right code and a plausible length so the checks past the header get exercised
            var planted = data.ToArray();
            if (planted.Length > 0) planted[0] = (byte)((planted[0] & 0xC0) | (c & 0x3F));
            ChangerPages(new ModePage((byte)(c & 0x3F), sub, ps, data));
            ChangerPages(new ModePage((byte)(c & 0x3F), sub, ps, planted));
        }
    }

    [FuzzProperty]
    public void Capture_parser_on_random_strings(string text)
    {
        try { CaptureParser.Parse(text ?? ""); }
        catch (CaptureFormatException) { }
    }

    [FuzzProperty]
    public void Capture_parser_on_random_bytes(byte[] data)
    {
        try { CaptureParser.ParseBytesOrText(data ?? []); }
        catch (CaptureFormatException) { }
    }

    private const string Alphabet = "0123456789abcdefABCDEF  :|*#.\n\n\r\tx0Received  bytes of data:";

    [FuzzProperty]
    public void Capture_parser_on_hexlike_text(int seed)
    {
        var rnd = new Random(seed);
        var sb = new StringBuilder();
        int len = rnd.Next(0, 400);
        for (int i = 0; i < len; i++) sb.Append(Alphabet[rnd.Next(Alphabet.Length)]);
        try { CaptureParser.Parse(sb.ToString()); }
        catch (CaptureFormatException) { }
    }

    [FuzzProperty]
    public void Capture_parser_on_mutated_fixture_text(NonNegativeInt pick, int seed)
    {
        var names = Fixture.All().ToArray();
        var text = File.ReadAllText(Fixture.PathOf(names[pick.Get % names.Length])).ToCharArray().ToList();
        var rnd = new Random(seed);
        for (int i = 0, n = rnd.Next(1, 6); i < n && text.Count > 0; i++)
        {
            int p = rnd.Next(text.Count);
            switch (rnd.Next(3))
            {
                case 0: text[p] = Alphabet[rnd.Next(Alphabet.Length)]; break;
                case 1: text.RemoveAt(p); break;
                default: text.Insert(p, Alphabet[rnd.Next(Alphabet.Length)]); break;
            }
        }
        try { CaptureParser.Parse(new string(text.ToArray())); }
        catch (CaptureFormatException) { }
    }

    [FuzzProperty]
    public void Capture_formats_round_trip(byte[] data, bool repeat)
    {
        data ??= [];
        if (repeat) data = [.. data, .. new byte[48], .. data]; // zero lines exercise hexdump -C "*"
        Assert.Equal(data, CaptureParser.Parse(CaptureParserTests.ToPlain(data)));
        Assert.Equal(data, CaptureParser.Parse(CaptureParserTests.ToXxd(data)));
        Assert.Equal(data, CaptureParser.Parse(CaptureParserTests.ToHexdumpC(data)));
        Assert.Equal(data, CaptureParser.Parse(CaptureParserTests.ToSg(data, withReceived: true)));
        Assert.Equal(data, CaptureParser.Parse(CaptureParserTests.ToSg(data, withReceived: false)));
    }

    [Fact]
    public void Fuzz_case_count_is_configurable()
    {
        Assert.True(Fuzz.Cases > 0);
        Assert.Equal(Fuzz.Cases, new FuzzPropertyAttribute().MaxTest);
    }
}
