using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Scsi.Tests;

public class ModeSenseCaptureTests
{
    [Fact]
    public void Msl3040_page_1D_after_block_descriptor()
    {
        var m = ModeSenseDecoder.Decode(Fixture.Load("hpe-msl3040-modesense10-page1d.hex"), tenByte: true);
        Assert.Equal(36, m.Header.ModeDataLength);
        Assert.Equal(8, m.Header.BlockDescriptorLength);
        Assert.False(m.Header.LongLba);
        Assert.Equal(2, m.MissingBytes);                      // MSL3040 counts the length field itself
        Assert.False(m.Truncated);
        var page = Assert.Single(m.Pages);
        Assert.True(page.ParametersSaveable);                 // 9Dh
        var a = ChangerModePages.ElementAddressAssignment(m.Find(0x1D)!);
        Assert.Equal(new ElementAddressAssignment(0, 1, 1001, 40, 101, 0, 1, 2), a);
    }

    [Fact]
    public void Msl3040_page_1F_capabilities()
    {
        var m = ModeSenseDecoder.Decode(Fixture.Load("hpe-msl3040-modesense10-page1f.hex"), tenByte: true);
        var c = ChangerModePages.DeviceCapabilities(Assert.Single(m.Pages));
        Assert.Equal(0x0a, c.StorageMask);
        Assert.True(c.CanStore(ElementType.Storage));
        Assert.True(c.CanStore(ElementType.DataTransfer));
        Assert.False(c.CanStore(ElementType.ImportExport));
        Assert.False(c.CanStore(ElementType.MediumTransport));
        Assert.True(c.CanMove(ElementType.Storage, ElementType.DataTransfer));
        Assert.True(c.CanMove(ElementType.DataTransfer, ElementType.Storage));
        Assert.True(c.CanMove(ElementType.MediumTransport, ElementType.Storage));
        Assert.False(c.CanMove(ElementType.ImportExport, ElementType.Storage));
        Assert.False(c.CanMove(ElementType.Storage, ElementType.ImportExport));
        Assert.True(c.CanExchange(ElementType.Storage, ElementType.DataTransfer));
        Assert.False(c.CanExchange(ElementType.MediumTransport, ElementType.Storage));
        Assert.True(c.SupportsExchange);
    }

    [Fact]
    public void Msl3040_page_1E_geometry()
    {
        var m = ModeSenseDecoder.Decode(Fixture.Load("hpe-msl3040-modesense10-page1e.hex"), tenByte: true);
        var t = ChangerModePages.TransportGeometry(Assert.Single(m.Pages));
        var d = Assert.Single(t.Transports);
        Assert.False(d.Rotate);
        Assert.Equal(0, d.MemberNumber);
    }

    [Theory]
    [InlineData("mhvtl-library30-modesense6-page1d.hex", 0x10, 1, 1, 1000, 40, 10, 4, 500, 4)]
    [InlineData("tgt-modesense6-page1d.hex", 0x00, 1, 1, 1000, 10, 10, 2, 500, 2)]
    public void Emulator_page_1D_mode_sense6(string file, byte deviceSpecific, int mt, int mtN, int st, int stN, int ie, int ieN, int dt, int dtN)
    {
        var m = ModeSenseDecoder.Decode(Fixture.Load(file), tenByte: false);
        Assert.Equal(deviceSpecific, m.Header.DeviceSpecific);
        Assert.Equal(0, m.Header.BlockDescriptorLength);
        Assert.Equal(0, m.MissingBytes);
        Assert.False(m.Truncated);
        var a = ChangerModePages.ElementAddressAssignment(m.Find(0x1D)!);
        Assert.Equal(new ElementAddressAssignment((ushort)mt, (ushort)mtN, (ushort)st, (ushort)stN, (ushort)ie, (ushort)ieN, (ushort)dt, (ushort)dtN), a);
    }

    [Fact]
    public void Mhvtl_default_1F_has_no_exchange()
    {
        var page = new ModePage(0x1F, 0, false, Fixture.Hex("1f 12 0f 07 0f 0f 0f 0f 00 00 00 00 00 00 00 00 00 00 00 00"));
        var c = ChangerModePages.DeviceCapabilities(page);
        Assert.False(c.SupportsExchange);
        Assert.True(c.CanMove(ElementType.ImportExport, ElementType.ImportExport));
    }

    [Theory]
    [InlineData(0x1D, "1e 12 00 00 00 01 03 e9 00 28 00 65 00 00 00 01 00 02 00 00")] // wrong code in the bytes
    [InlineData(0x1D, "1d 10 00 00 00 01 03 e9 00 28 00 65 00 00 00 01 00 02")]       // page length too small
    [InlineData(0x1D, "1d 12 00 00 00 01")]                                            // shorter than its length
    [InlineData(0x1D, "5d 12 00 00 00 01 03 e9 00 28 00 65 00 00 00 01 00 02 00 00")] // SPF set
    [InlineData(0x1D, "")]
    public void Changer_pages_validate_code_and_length(byte code, string hex)
    {
        var page = new ModePage(code, 0, false, Fixture.Hex(hex));
        Assert.Throws<ScsiDecodeException>(() => ChangerModePages.ElementAddressAssignment(page));
        Assert.Throws<ScsiDecodeException>(() => ChangerModePages.DeviceCapabilities(page));
        Assert.Throws<ScsiDecodeException>(() => ChangerModePages.TransportGeometry(page));
    }

    [Fact]
    public void Transport_geometry_with_odd_length_throws() =>
        Assert.Throws<ScsiDecodeException>(() => ChangerModePages.TransportGeometry(new ModePage(0x1E, 0, false, [0x1e, 0x03, 0, 0, 0])));

    [Fact]
    public void Cut_inside_block_descriptor_is_truncated_without_pages()
    {
        var data = Fixture.Load("hpe-msl3040-modesense10-page1d.hex");
        var m = ModeSenseDecoder.Decode(data.AsSpan(0, 12), tenByte: true);
        Assert.True(m.Truncated);
        Assert.Empty(m.Pages);
        Assert.Throws<ScsiDecodeException>(() => ModeSenseDecoder.Decode(data.AsSpan(0, 7), tenByte: true));
        Assert.Throws<ScsiDecodeException>(() => ModeSenseDecoder.Decode(data.AsSpan(0, 3), tenByte: false));
    }
}

public class InquiryCaptureTests
{
    [Fact]
    public void Msl3040_standard_inquiry()
    {
        var data = Fixture.Load("hpe-msl3040-inquiry-standard.hex");
        Assert.Equal(74, data.Length);
        var q = InquiryDecoder.DecodeStandard(data);
        Assert.True(q.IsMediumChanger);
        Assert.False(q.IsTapeDrive);
        Assert.Equal(0, q.PeripheralQualifier);
        Assert.True(q.Removable);
        Assert.Equal(5, q.Version);
        Assert.Equal(2, q.ResponseDataFormat);
        Assert.Equal(69, q.AdditionalLength);
        Assert.False(q.MediumChangerAttached);
        Assert.Equal("HPE", q.Vendor);
        Assert.Equal("MSL3040", q.Product);
        Assert.Equal("3350", q.Revision);
        Assert.Null(q.VendorSpecific);                        // binary bytes 36-55 on this device
        Assert.Equal([(ushort)0x005c, (ushort)0x030f, (ushort)0x02fe], q.VersionDescriptors);
        Assert.False(q.Truncated);
    }

    [Fact]
    public void Standard_inquiry_short_replies()
    {
        var data = Fixture.Load("hpe-msl3040-inquiry-standard.hex");
        var q36 = InquiryDecoder.DecodeStandard(data.AsSpan(0, 36));
        Assert.Equal("3350", q36.Revision);
        Assert.Empty(q36.VersionDescriptors);
        Assert.True(q36.Truncated);

        var q20 = InquiryDecoder.DecodeStandard(data.AsSpan(0, 20));
        Assert.Equal("HPE", q20.Vendor);
        Assert.Equal("MSL3", q20.Product);
        Assert.Equal("", q20.Revision);
        Assert.True(q20.Truncated);

        Assert.Equal("", InquiryDecoder.DecodeStandard(data.AsSpan(0, 8)).Vendor);
        var ex = Assert.Throws<ScsiDecodeException>(() => InquiryDecoder.DecodeStandard(data.AsSpan(0, 7)));
        Assert.Equal(7, ex.Offset);
    }

    [Fact]
    public void Mhvtl_default_standard_inquiry_with_ascii_serial_in_vendor_area()
    {
        var b = new byte[66];
        b[0] = 0x08; b[1] = 0x80; b[2] = 0x05; b[3] = 0x02; b[4] = 61; b[6] = 0x01;
        AsciiText.WritePadded(b.AsSpan(8, 8), "STK");
        AsciiText.WritePadded(b.AsSpan(16, 16), "L700");
        AsciiText.WritePadded(b.AsSpan(32, 4), "0108");
        AsciiText.WritePadded(b.AsSpan(36, 20), "  XYZZY_A", 0x00);
        b[58] = 0x03; b[59] = 0x00; b[60] = 0x09; b[61] = 0x60; b[62] = 0x02; b[63] = 0x00;
        var q = InquiryDecoder.DecodeStandard(b);
        Assert.Equal("XYZZY_A", q.VendorSpecific);
        Assert.Equal([(ushort)0x0300, (ushort)0x0960, (ushort)0x0200], q.VersionDescriptors);
        Assert.False(q.Truncated);
    }

    [Fact]
    public void Tape_drive_with_attached_changer_sets_mchngr()
    {
        // A drive LUN whose byte 6 bit 3 MCHNGR says an SMC changer is reachable through it (SPC-2 style).
        var b = new byte[36];
        b[0] = 0x01; b[1] = 0x80; b[2] = 0x03; b[3] = 0x02; b[4] = 31; b[6] = 0x08;
        AsciiText.WritePadded(b.AsSpan(8, 8), "IBM");
        AsciiText.WritePadded(b.AsSpan(16, 16), "ULTRIUM-TD3");
        AsciiText.WritePadded(b.AsSpan(32, 4), "64D0");
        var q = InquiryDecoder.DecodeStandard(b);
        Assert.True(q.IsTapeDrive);
        Assert.True(q.MediumChangerAttached);
        Assert.Equal("ULTRIUM-TD3", q.Product);
        Assert.Null(q.VendorSpecific);
        Assert.False(q.Truncated);
    }

    [Fact]
    public void Msl3040_vpd_00_80_83()
    {
        Assert.Equal([0x00, 0x80, 0x83, 0x85, 0xc0, 0xc8, 0xcc, 0xd0], InquiryDecoder.DecodeSupportedPages(Fixture.Load("hpe-msl3040-inquiry-vpd00.hex")));
        Assert.Equal("DEC418146K_LL02", InquiryDecoder.DecodeUnitSerialNumber(Fixture.Load("hpe-msl3040-inquiry-vpd80.hex")));

        var ids = InquiryDecoder.DecodeDeviceIdentification(Fixture.Load("hpe-msl3040-inquiry-vpd83.hex"));
        Assert.Equal(2, ids.Count);
        Assert.Equal("NAA", ids[0].TypeName);
        Assert.Equal(1, ids[0].CodeSet);
        Assert.Equal("5001438031bdc7d4", ids[0].Text);
        Assert.Equal("T10 vendor ID", ids[1].TypeName);
        Assert.True(ids[1].IsText);
        Assert.Equal("HPE     MSL3040         DEC418146K_LL02", ids[1].Text);
        Assert.All(ids, d => Assert.Equal(0, d.Association));
    }

    [Fact]
    public void Ultrium9_vpd_83_with_sas_port_designators()
    {
        var ids = InquiryDecoder.DecodeDeviceIdentification(Fixture.Load("hpe-ultrium9-inquiry-vpd83.hex"));
        Assert.Equal(5, ids.Count);
        Assert.Equal("HPE     Ultrium 9-SCSI  8031BDC7DB", ids[0].Text);
        Assert.Equal("5001438031bdc7db", ids[1].Text);
        Assert.Equal(4, ids[2].DesignatorType);               // relative target port
        Assert.Equal(6, ids[2].ProtocolIdentifier);           // SAS
        Assert.True(ids[2].Piv);
        Assert.Equal(1, ids[2].Association);
        Assert.Equal("00000001", ids[2].Text);
        Assert.Equal(2, ids[4].Association);
    }

    [Theory]
    [InlineData("08 80 00 12 58 59 5a 5a 59 5f 41 20 20 20 20 20 00 00 00 00 00 00", "XYZZY_A")]   // mhVTL STK: spaces then NULs
    [InlineData("08 80 00 10 20 20 20 20 20 20 20 20 20 58 59 5a 5a 59 5f 41", "XYZZY_A")]         // tgt: right-justified
    [InlineData("08 80 00 0f 44 45 43", "DEC")]                                                   // cut by the allocation length
    [InlineData("08 80 00 00", "")]
    public void Unit_serial_number_is_trimmed(string hex, string expected) =>
        Assert.Equal(expected, InquiryDecoder.DecodeUnitSerialNumber(Fixture.Hex(hex)));

    [Fact]
    public void Vpd_decoders_check_the_page_code()
    {
        var vpd80 = Fixture.Load("hpe-msl3040-inquiry-vpd80.hex");
        Assert.Throws<ScsiDecodeException>(() => InquiryDecoder.DecodeSupportedPages(vpd80));
        Assert.Throws<ScsiDecodeException>(() => InquiryDecoder.DecodeDeviceIdentification(vpd80));
        Assert.Throws<ScsiDecodeException>(() => InquiryDecoder.DecodeUnitSerialNumber(Fixture.Load("hpe-msl3040-inquiry-vpd83.hex")));
    }

    [Fact]
    public void Vpd83_cut_by_allocation_drops_the_partial_designator_and_overlong_designator_throws()
    {
        var data = Fixture.Load("hpe-msl3040-inquiry-vpd83.hex");
        Assert.Single(InquiryDecoder.DecodeDeviceIdentification(data.AsSpan(0, 30)));
        var bad = data.ToArray();
        bad[7] = 0x40;                                          // NAA designator length 64 > page length
        Assert.Throws<ScsiDecodeException>(() => InquiryDecoder.DecodeDeviceIdentification(bad));
    }
}

public class LogSenseCaptureTests
{
    [Theory]
    [InlineData("hpe-msl3040-logsense-2e-changer.hex", TapeAlertSource.Changer, 0x40)]
    [InlineData("hpe-ultrium9-logsense-2e-drive.hex", TapeAlertSource.Drive, 0xC0)]
    public void Msl3040_tapealert_pages_have_64_clear_flags(string file, TapeAlertSource source, byte control)
    {
        var data = Fixture.Load(file);
        var page = LogSenseDecoder.Decode(data);
        Assert.Equal(0x2E, page.PageCode);
        Assert.Equal(64, page.Parameters.Count);
        Assert.All(page.Parameters, p => Assert.Equal(control, p.Control));
        Assert.Equal(Enumerable.Range(1, 64), page.Parameters.Select(p => (int)p.Code));
        var report = TapeAlertDecoder.Decode(data, source);
        Assert.Equal(64, report.ParametersDecoded);
        Assert.Empty(report.Active);
        Assert.False(report.Truncated);
    }

    [Theory]
    [InlineData("hpe-msl3040-logsense-2e-changer.hex", TapeAlertSource.Changer, 0x10, "Library Door")]
    [InlineData("hpe-msl3040-logsense-2e-changer.hex", TapeAlertSource.Changer, 0x11, "Library Mailslot")]
    [InlineData("hpe-msl3040-logsense-2e-changer.hex", TapeAlertSource.Changer, 0x40, "flag 64")]
    [InlineData("hpe-ultrium9-logsense-2e-drive.hex", TapeAlertSource.Drive, 0x14, "Cleaning required")]
    [InlineData("hpe-ultrium9-logsense-2e-drive.hex", TapeAlertSource.Drive, 0x2a, "reserved")]
    [InlineData("hpe-ultrium9-logsense-2e-drive.hex", TapeAlertSource.Drive, 0x3d, "Encryption policy violation")]
    public void A_set_flag_is_named(string file, TapeAlertSource source, int flag, string name)
    {
        var data = Fixture.Load(file);
        data[4 + (flag - 1) * 5 + 4] = 0x01;                    // parameter value byte
        var report = TapeAlertDecoder.Decode(data, source);
        var f = Assert.Single(report.Active);
        Assert.Equal(flag, f.Number);
        Assert.Equal(name, f.Name);
        Assert.True(report.IsSet(flag));
    }

    [Fact]
    public void Flag_tables_have_64_entries()
    {
        for (int i = 1; i <= 64; i++)
        {
            Assert.False(string.IsNullOrEmpty(TapeAlertDecoder.FlagName(TapeAlertSource.Drive, i)));
            Assert.False(string.IsNullOrEmpty(TapeAlertDecoder.FlagName(TapeAlertSource.Changer, i)));
        }
        Assert.Equal("Read warning", TapeAlertDecoder.FlagName(TapeAlertSource.Drive, 1));
        Assert.Equal("Cleaning media", TapeAlertDecoder.FlagName(TapeAlertSource.Drive, 0x0B));
        Assert.Equal("Diagnostics required", TapeAlertDecoder.FlagName(TapeAlertSource.Drive, 0x27));
        Assert.Equal("Library Hardware A", TapeAlertDecoder.FlagName(TapeAlertSource.Changer, 1));
        Assert.Equal("Unreadable Bar Code Labels", TapeAlertDecoder.FlagName(TapeAlertSource.Changer, 0x20));
        Assert.Throws<ArgumentOutOfRangeException>(() => TapeAlertDecoder.FlagName(TapeAlertSource.Drive, 65));
    }

    [Fact]
    public void Cut_tapealert_keeps_complete_parameters()
    {
        var data = Fixture.Load("hpe-msl3040-logsense-2e-changer.hex");
        var r = TapeAlertDecoder.Decode(data.AsSpan(0, 4 + 5 * 10 + 3), TapeAlertSource.Changer);
        Assert.Equal(10, r.ParametersDecoded);
        Assert.True(r.Truncated);
    }

    [Fact]
    public void Tapealert_rejects_other_pages_and_overlong_parameters()
    {
        var temp = Fixture.Hex("0d 00 00 0c 00 00 40 02 00 2f 00 01 40 02 00 5f"); // MSL3040 temperature page
        var page = LogSenseDecoder.Decode(temp);
        Assert.Equal(0x0D, page.PageCode);
        Assert.Equal(0x2f, page.Parameters[0].Value[1]);
        Assert.Throws<ScsiDecodeException>(() => TapeAlertDecoder.Decode(temp, TapeAlertSource.Changer));
        var bad = temp.ToArray();
        bad[7] = 0x20;                                            // parameter length past the page length
        Assert.Throws<ScsiDecodeException>(() => LogSenseDecoder.Decode(bad));
        var padded = LogSenseDecoder.Decode([.. temp, 0xff, 0xff, 0xff]);
        Assert.Equal(2, padded.Parameters.Count);
        Assert.False(padded.Truncated);
    }
}

public class SenseCaptureTests
{
    [Fact]
    public void Msl3040_unit_attention()
    {
        var s = SenseDecoder.Decode(Fixture.Load("hpe-msl3040-sense-ua-06-28-00.hex"));
        Assert.Equal(SenseKey.UnitAttention, s.Key);
        Assert.Equal("06/28/00", s.Triplet);
        Assert.False(s.DescriptorFormat);
        Assert.Null(s.Information);
        Assert.Null(s.FieldPointer);                            // byte 15 = 10h: SKSV clear
        Assert.Contains("medium may have changed", s.Describe());
    }

    [Fact]
    public void Tgt_destination_full()
    {
        var s = SenseDecoder.Decode(Fixture.Load("tgt-sense-05-3b-0d.hex"));
        Assert.Equal(SenseKey.IllegalRequest, s.Key);
        Assert.Equal("05/3B/0D", s.Triplet);
        Assert.Null(s.FieldPointer);
    }

    [Fact]
    public void Mhvtl_F0_sense_with_field_pointer()
    {
        var b = new byte[96];
        Fixture.Hex("f0 00 05 00 00 00 00 58 00 00 00 00 24 00 00 c0 00 02").CopyTo(b, 0);
        var s = SenseDecoder.Decode(b);
        Assert.Equal(0x70, s.ResponseCode);
        Assert.Equal((uint)0, s.Information);                 // VALID set
        Assert.Equal(new FieldPointer(true, 2, null), s.FieldPointer);
        Assert.EndsWith("(invalid CDB byte 2)", s.Describe());
    }

    [Fact]
    public void Descriptor_sense_with_information_and_field_pointer()
    {
        var b = Fixture.Hex("72 05 24 00 00 00 00 14  02 06 00 00 c8 00 0b 00  00 0a 80 00 00 00 00 00 00 00 12 34");
        var s = SenseDecoder.Decode(b);
        Assert.True(s.DescriptorFormat);
        Assert.Equal("05/24/00", s.Triplet);
        Assert.Equal(new FieldPointer(true, 11, 0), s.FieldPointer);
        Assert.Equal((uint)0x1234, s.Information);

        // Cut by the sense buffer inside the information descriptor: keep what was decoded.
        var cut = SenseDecoder.Decode(b.AsSpan(0, 20));
        Assert.Equal(new FieldPointer(true, 11, 0), cut.FieldPointer);
        Assert.Null(cut.Information);

        // A descriptor declaring more than the additional sense length is malformed.
        var bad = b.ToArray();
        bad[9] = 0x30;
        Assert.Throws<ScsiDecodeException>(() => SenseDecoder.Decode(bad));
    }

    [Fact]
    public void Not_sense_throws()
    {
        Assert.Throws<ScsiDecodeException>(() => SenseDecoder.Decode([0x00, 0x00]));
        Assert.Throws<ScsiDecodeException>(() => SenseDecoder.Decode([]));
    }
}

public class ReportLunsTests
{
    [Fact]
    public void Peripheral_and_flat_addressing()
    {
        var data = Fixture.Hex("00 00 00 20 00 00 00 00  00 00 00 00 00 00 00 00  00 01 00 00 00 00 00 00  40 05 00 00 00 00 00 00  01 02 00 00 00 00 00 00");
        Assert.Equal([0, 1, 5, 0x0102], ReportLunsDecoder.Decode(data));
    }

    [Fact]
    public void Cut_list_and_padding()
    {
        var data = Fixture.Hex("00 00 00 10 00 00 00 00  00 00 00 00 00 00 00 00  00 01 00 00");
        Assert.Equal([0], ReportLunsDecoder.Decode(data));
        var padded = Fixture.Hex("00 00 00 08 00 00 00 00  00 01 00 00 00 00 00 00  00 02 00 00 00 00 00 00");
        Assert.Equal([1], ReportLunsDecoder.Decode(padded));
        Assert.Throws<ScsiDecodeException>(() => ReportLunsDecoder.Decode(new byte[7]));
    }
}
