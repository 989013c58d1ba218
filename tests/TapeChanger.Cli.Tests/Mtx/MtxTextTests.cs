using TapeChanger.Cli.Mtx;
using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Cli.Tests.Mtx;

/// <summary>The pure mtx renderer and view against real mtx 1.3.12 output (tests/Fixtures/mtx, see its README).</summary>
public sealed class MtxTextTests
{
    private static string Fixture(string name) => File.ReadAllText(CliRunner.Fixture(Path.Combine("mtx", name)));

    private static Element El(ElementType type, ushort address, bool full, string? tag = null, ushort? svalidSource = null, ushort sourceField = 0,
        byte asc = 0, byte ascq = 0) =>
        new(type, address, full, tag, null, svalidSource, MediumType.Unspecified, false, asc, ascq, true, false, false, false, null, null, null, null, false)
        {
            PrimaryTagField = tag?.PadRight(36, '\0'),
            SourceField = svalidSource ?? sourceField,
        };

    private static LibraryStatus Library(IEnumerable<Element> elements, ushort storage, ushort ie, ushort drives)
    {
        var map = new ElementMap(new ElementRange(ElementType.MediumTransport, 1, 1), new ElementRange(ElementType.Storage, 1000, storage),
            new ElementRange(ElementType.ImportExport, 10, ie), new ElementRange(ElementType.DataTransfer, 500, drives));
        return new LibraryStatus(new LibraryIdentity("V", "P", "1", null, 8), map, elements.ToList());
    }

    [Fact]
    public void Two_drives_given_the_same_guessed_source_as_mtx_does()
    {
        // Drive 0 came from slot 8 (empty: taken as is); drive 1 names a full slot, so mtx hands it the first empty
        // storage slot, which is slot 8 again: both lines say "Storage Element 8", as in the capture.
        string[] tags = ["HER006L9", "HER009L9", "HER012L9", "HER001L9", "HER005L9", "HER008L9", "HER011L9", "", "HER004L9", "HER007L9", "HER010L9",
            "CLN003L1", "HER021L9", "HER018L9", "HER015L9", "HER023L9", "HER020L9", "HER017L9", "HER014L9", "HER022L9", "HER019L9", "HER016L9", "HER013L9"];
        var elements = new List<Element> { El(ElementType.MediumTransport, 1, false) };
        elements.AddRange(tags.Select((t, i) => El(ElementType.Storage, (ushort)(1000 + i), t.Length > 0, t.Length > 0 ? t : null)));
        elements.Add(El(ElementType.ImportExport, 10, true, "HER003L9"));
        elements.Add(El(ElementType.DataTransfer, 500, true, "042142L9", svalidSource: 1007));
        elements.Add(El(ElementType.DataTransfer, 501, true, "HER002L9", svalidSource: 1003));

        var view = MtxView.From(Library(elements, 23, 1, 2), barcodes: true);

        Assert.Equal(Fixture("hera-24slot-dup-source-status.txt"), MtxText.Status(view, "/dev/sg25"));
        Assert.Equal([7, 7], view.Drives.Select(d => d.Source));
    }

    [Fact]
    public void Tags_keep_their_padding_up_to_the_first_unprintable_byte_and_nobarcode_drops_them()
    {
        Assert.Equal("A0000001" + new string(' ', 24), MtxView.Tag("A0000001" + new string(' ', 24) + "\0\0\0\0", barcodes: true));
        Assert.Equal("AB", MtxView.Tag("AB\u0001CD", barcodes: true));
        Assert.Equal("AB", MtxView.Tag("AB\u0080CD", barcodes: true));
        Assert.Equal("AB\u007F", MtxView.Tag("AB\u007F", barcodes: true));
        Assert.Equal(" ~", MtxView.Tag(" ~", barcodes: true));
        Assert.Equal("", MtxView.Tag("\u001FAB", barcodes: true));
        Assert.Equal("", MtxView.Tag("", barcodes: true));
        Assert.Equal("", MtxView.Tag("AB", barcodes: false));

        var view = MtxView.From(Library([El(ElementType.Storage, 1000, true, "X1"), El(ElementType.DataTransfer, 500, true, "X2", sourceField: 77)], 1, 0, 1), barcodes: false);
        Assert.Equal(
            "  Storage Changer D:1 Drives, 1 Slots ( 0 Import/Export )\n" +
            "Data Transfer Element 0:Full (Unknown Storage Element Loaded)\n" +
            "      Storage Element 1:Full \n",
            MtxText.Status(view, "D"));
    }

    [Fact]
    public void An_empty_slot_s_blank_tag_is_one_shared_string_and_any_other_tag_its_own()
    {
        string blank = new string(' ', 32) + "\0\0\0\0";
        string first = MtxView.Tag(blank, barcodes: true);
        Assert.Equal(new string(' ', 32), first);
        Assert.Same(first, MtxView.Tag(new string(' ', 32) + "\0\0\0\u0001", barcodes: true));
        Assert.Equal("A" + new string(' ', 31), MtxView.Tag("A" + new string(' ', 31) + "\0\0\0\0", barcodes: true));
        Assert.Equal(new string(' ', 31) + "A", MtxView.Tag(new string(' ', 31) + "A\0\0\0\0", barcodes: true));
    }

    [Fact]
    public void A_large_library_s_status_is_written_in_pieces_and_reads_as_one_text()
    {
        // 2,000 slots, every tenth full, the empty ones with the blank tag tgt sends: about 170,000 chars.
        string blank = new string(' ', 32) + "\0\0\0\0";
        var elements = new List<Element> { El(ElementType.MediumTransport, 1, false) };
        for (int i = 0; i < 2000; i++)
        {
            bool full = i % 10 == 0;
            elements.Add(El(ElementType.Storage, (ushort)(1000 + i), full, full ? $"B{i:D5}" : null) with { PrimaryTagField = full ? $"B{i:D5}".PadRight(32) + "\0\0\0\0" : blank });
        }
        // And 400 drives: their lines alone are more than one piece.
        for (int d = 0; d < 400; d++) elements.Add(El(ElementType.DataTransfer, (ushort)(3000 + d), false));
        var view = MtxView.From(Library(elements, 2000, 0, 400), barcodes: true);
        var expected = new System.Text.StringBuilder("  Storage Changer D:400 Drives, 2000 Slots ( 0 Import/Export )\n");
        for (int d = 0; d < 400; d++) expected.Append($"Data Transfer Element {d}:Empty\n");
        for (int i = 0; i < 2000; i++)
        {
            expected.Append($"      Storage Element {i + 1}:{(i % 10 == 0 ? "Full " : "Empty")}:VolumeTag={(i % 10 == 0 ? $"B{i:D5}".PadRight(32) : new string(' ', 32))}\n");
        }

        var pieces = new PieceWriter();
        MtxText.WriteStatus(pieces, view, "D");

        Assert.Equal(expected.ToString(), pieces.Text.ToString());
        Assert.Equal(expected.ToString(), MtxText.Status(view, "D"));
        Assert.True(pieces.Sizes.Count > 10, $"{pieces.Sizes.Count} pieces");
        Assert.All(pieces.Sizes, n => Assert.InRange(n, 1, MtxText.FlushAt + 100));
    }

    [Fact]
    public void An_empty_drive_keeps_the_raw_source_field_and_not_installed_elements_are_skipped()
    {
        var elements = new[]
        {
            El(ElementType.Storage, 1000, false, asc: 0x83, ascq: 0x02),
            El(ElementType.Storage, 1001, true, "T1"),
            El(ElementType.DataTransfer, 500, false, sourceField: 1001),
            El(ElementType.DataTransfer, 501, false, asc: 0x83, ascq: 0x04),
        };
        var view = MtxView.From(Library(elements, 2, 0, 2), barcodes: true);
        Assert.Equal([1001], view.Drives.Select(d => d.Source));
        Assert.Equal([(ushort)1001], view.Slots.Select(s => s.Address));
    }

    [Fact]
    public void Only_both_codes_of_not_installed_skip_an_element_and_the_first_picker_is_the_one()
    {
        // 83h with another ASCQ, or the ASCQ with another ASC, is an installed element with an exception.
        var elements = new[]
        {
            El(ElementType.MediumTransport, 1, false),
            El(ElementType.MediumTransport, 2, false),
            El(ElementType.Storage, 1000, false, asc: 0x83, ascq: 0x00),
            El(ElementType.Storage, 1001, false, asc: 0x04, ascq: 0x02),
            El(ElementType.DataTransfer, 500, false, asc: 0x83, ascq: 0x00),
            El(ElementType.DataTransfer, 501, false, asc: 0x04, ascq: 0x04),
        };
        var view = MtxView.From(Library(elements, 2, 0, 2), barcodes: true);
        Assert.Equal([(ushort)1000, (ushort)1001], view.Slots.Select(s => s.Address));
        Assert.Equal([(ushort)500, (ushort)501], view.Drives.Select(d => d.Address));
        Assert.Equal(1, view.TransportAddress);
    }

    [Fact]
    public void Alternate_tags_follow_the_primary_on_slot_and_drive_lines()
    {
        var elements = new[]
        {
            El(ElementType.Storage, 1000, false),
            El(ElementType.Storage, 1001, true, "P1") with { AlternateTagField = "A1".PadRight(36, '\0') },
            El(ElementType.DataTransfer, 500, true, "P0", svalidSource: 1000) with { AlternateTagField = "A0".PadRight(36, '\0') },
        };
        var view = MtxView.From(Library(elements, 2, 0, 1), barcodes: true);
        Assert.Equal(
            "  Storage Changer D:1 Drives, 2 Slots ( 0 Import/Export )\n" +
            "Data Transfer Element 0:Full (Storage Element 1 Loaded):VolumeTag = P0:AlternateVolumeTag = A0\n" +
            "      Storage Element 1:Empty\n" +
            "      Storage Element 2:Full :VolumeTag=P1:AlternateVolumeTag=A1\n",
            MtxText.Status(view, "D"));
    }

    [Fact]
    public void Drives_whose_source_is_unusable_get_the_empty_slots_in_reading_order_and_the_first_slot_is_a_source()
    {
        // Drive 0 came from the first slot (index 0, empty): kept. Drives 1 and 2 name full or unknown slots: they
        // get the empty slots in order, the first one again for drive 1 (mtx's pass 2), then the next.
        var elements = new[]
        {
            El(ElementType.Storage, 1000, false),
            El(ElementType.Storage, 1001, true, "T1"),
            El(ElementType.Storage, 1002, false),
            El(ElementType.DataTransfer, 500, true, "D0", svalidSource: 1000),
            El(ElementType.DataTransfer, 501, true, "D1", svalidSource: 1001),
            El(ElementType.DataTransfer, 502, true, "D2", svalidSource: 999),
        };
        var view = MtxView.From(Library(elements, 3, 0, 3), barcodes: true);
        Assert.Equal([0, 0, 2], view.Drives.Select(d => d.Source));
    }

    [Fact]
    public void Request_sense_report_matches_debian_mtx_for_tgt_eject()
    {
        // tgt answers 1Bh on its changer with fixed sense 70h, ILLEGAL REQUEST, 20h/00h.
        byte[] raw = [0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x20, 0x00, 0, 0, 0, 0];
        string expected = Fixture("tgt-eject-mtx-stderr.txt");
        Assert.Equal(expected, MtxText.RequestSense(SenseDecoder.Decode(raw)) + "Eject (0x1B) failed\nmtx:eject failed\n");
    }

    [Fact]
    public void Request_sense_report_prints_residual_and_field_pointer_as_mtxl_c_formats_them()
    {
        // VALID, INFORMATION 00 00 01 02; SKSV C/D BPV bit 3, field pointer 00 04.
        byte[] raw = [0xF0, 0, 0x05, 0, 0, 0x01, 0x02, 0x0A, 0, 0, 0, 0, 0x24, 0x00, 0, 0xCB, 0x00, 0x04];
        Assert.Equal(
            "mtx: Request Sense: Long Report=yes\n" +
            "mtx: Request Sense: Valid Residual=yes\n" +
            "mtx: Request Sense: Error Code=70 (Current)\n" +
            "mtx: Request Sense: Sense Key=Illegal Request\n" +
            "mtx: Request Sense: FileMark=no\n" +
            "mtx: Request Sense: EOM=no\n" +
            "mtx: Request Sense: ILI=no\n" +
            "mtx: Request Sense: Residual = 00 00 01 02\n" +
            "mtx: Request Sense: Additional Sense Code = 24\n" +
            "mtx: Request Sense: Additional Sense Qualifier = 00\n" +
            "mtx: Request Sense: Field in Error = 03\n" +
            "mtx: Request Sense: BPV=yes\n" +
            "mtx: Request Sense: Error in CDB=yes\n" +
            "mtx: Request Sense: SKSV=yes\n" +
            "mtx: Request Sense: Field Pointer = 00 04\n",
            MtxText.RequestSense(SenseDecoder.Decode(raw)));
    }

    [Fact]
    public void Inquiry_restores_the_field_widths()
    {
        Assert.Equal(
            "Product Type: Medium Changer\nVendor ID: 'STK     '\nProduct ID: 'L700            '\nRevision: '0108'\nAttached Changer API: No\n",
            MtxText.Inquiry(8, "STK", "L700", "0108", false));
        Assert.Equal("Reserved", MtxText.PeripheralName(0x15));
        Assert.Equal("Unknown", MtxText.PeripheralName(0x1F));
    }
}
