using System.Buffers.Binary;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Testing;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Transport.Tests;

/// <summary>
/// READ ELEMENT STATUS through SmcClient on a changer that answers from a list of elements: the CDBs sent (type, start,
/// count, VOLTAG, DVCID, CURDATA, allocation length), the chunks, and what a rejection teaches.
/// </summary>
public class SmcClientElementTests
{
    private static (ElementType Type, ushort Start, int Count, bool VolTag, bool Dvcid, bool CurData, int Alloc) Res(ScsiCommand c)
    {
        Assert.Equal(OpCode.ReadElementStatus, c.Cdb[0]);
        return ((ElementType)(c.Cdb[1] & 0x0F), BinaryPrimitives.ReadUInt16BigEndian(c.Cdb.AsSpan(2)), BinaryPrimitives.ReadUInt16BigEndian(c.Cdb.AsSpan(4)),
            (c.Cdb[1] & 0x10) != 0, (c.Cdb[6] & 0x01) != 0, (c.Cdb[6] & 0x02) != 0, (c.Cdb[7] << 16) | (c.Cdb[8] << 8) | c.Cdb[9]);
    }

    private static ScriptedTransport Over(ResLibrary lib, int max = int.MaxValue) => new() { Answer = lib.Answer, MaxTransferLength = max };

    private static ResLibrary SmallLibrary() => new ResLibrary()
        .Add(ElementType.MediumTransport, 0, 1)
        .Add(ElementType.Storage, 1000, 6, i => i % 2 == 0 ? $"VOL{i:D3}L8" : null)
        .Add(ElementType.ImportExport, 10, 2)
        .Add(ElementType.DataTransfer, 500, 2, id: i => $"DRV{i}");

    private static readonly (ElementType, ushort, int)[] AllRanges =
        [(ElementType.MediumTransport, 0, 1), (ElementType.Storage, 1000, 6), (ElementType.ImportExport, 10, 2), (ElementType.DataTransfer, 500, 2)];

    /// <summary>
    /// tgt behind Linux sg: NUMBER OF ELEMENTS is ignored (every element from the start address comes back), and where
    /// that is more than the allocation the kernel reports the iSCSI residual overflow as data not received, so the
    /// transfer length is the allocation minus the overflow.
    /// </summary>
    private static ScriptedTransport IgnoresCountBehindSg(ResLibrary lib) => new()
    {
        Answer = (c, dataIn) =>
        {
            var cdb = c.Cdb;
            ushort start = BinaryPrimitives.ReadUInt16BigEndian(cdb.AsSpan(2));
            int alloc = (cdb[7] << 16) | (cdb[8] << 8) | cdb[9];
            var reply = ResLibrary.Build(lib.Elements.Where(e => e.Type == (ElementType)(cdb[1] & 0x0F) && e.Address >= start).ToList(), (cdb[1] & 0x10) != 0, false);
            int n = reply.Length <= alloc ? reply.Length : Math.Max(0, alloc - (reply.Length - alloc));
            reply.AsSpan(0, Math.Min(n, dataIn.Length)).CopyTo(dataIn.Span);
            return ScsiResult.Good(n);
        },
    };

    [Fact]
    public async Task A_targeted_read_cut_before_its_element_is_read_again_with_the_allocation_the_device_declared()
    {
        var lib = new ResLibrary().Add(ElementType.Storage, 4, 8, i => i < 5 ? $"TC000{i}L6" : null);
        var t = IgnoresCountBehindSg(lib);
        await using var c = new SmcClient(t);
        var d = await c.ReadElementAsync(ElementType.Storage, 8);
        Assert.NotNull(d);
        Assert.Equal("TC0004L6", d.Barcode);
        // Elements 8-11 with VOLTAG: 8 + 8 + 4 x 48 = 208 bytes, 200 declared. The first read (allocation 124) came back
        // with 40 bytes; the second asked for 8 + 200 + 8.
        Assert.Equal([124, 216], t.Sent.Select(x => Res(x).Alloc));
        Assert.All(t.Sent, x => Assert.Equal((ElementType.Storage, (ushort)8, 1), (Res(x).Type, Res(x).Start, Res(x).Count)));
    }

    [Fact]
    public async Task A_read_past_the_last_element_is_not_repeated()
    {
        var t = IgnoresCountBehindSg(new ResLibrary().Add(ElementType.Storage, 4, 8));
        await using var c = new SmcClient(t);
        Assert.Null(await c.ReadElementAsync(ElementType.Storage, 20));
        Assert.Single(t.Sent);
    }

    [Fact]
    public async Task Storage_is_read_in_chunks_of_the_quirks_element_limit()
    {
        var t = Over(SmallLibrary());
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { MaxElementsPerRead = 4 });
        var got = await c.ReadElementStatusAsync(ElementType.Storage, 1000, 6);
        Assert.Equal([1000, 1001, 1002, 1003, 1004, 1005], got.Select(d => (int)d.Address));
        Assert.Equal(["VOL000L8", null, "VOL002L8", null, "VOL004L8", null], got.Select(d => d.Barcode));
        var sent = t.Sent.Select(Res).ToList();
        // 8 header + 8 page header + 100 per element + 8 spare for a short reply.
        Assert.Equal([(ElementType.Storage, (ushort)1000, 4, true, false, false, 8 + 8 + 400 + 8),
                      (ElementType.Storage, (ushort)1004, 2, true, false, false, 8 + 8 + 200 + 8)], sent);
    }

    [Fact]
    public async Task A_short_reply_is_continued_after_the_last_element_received()
    {
        // The library answers at most 2 descriptors per command, whatever was asked.
        var t = Over(new ResLibrary { MaxPerReply = 2 }.Add(ElementType.Storage, 1000, 6));
        await using var c = new SmcClient(t);
        var got = await c.ReadElementStatusAsync(ElementType.Storage, 1000, 6);
        Assert.Equal([1000, 1001, 1002, 1003, 1004, 1005], got.Select(d => (int)d.Address));
        Assert.Equal([(1000, 6), (1002, 4), (1004, 2)], t.Sent.Select(Res).Select(r => ((int)r.Start, r.Count)));
    }

    [Fact]
    public async Task The_transport_limit_bounds_elements_and_allocation()
    {
        var t = Over(SmallLibrary(), max: 250);
        await using var c = new SmcClient(t);
        var got = await c.ReadElementStatusAsync(ElementType.Storage, 1000, 6);
        Assert.Equal([1000, 1001, 1002, 1003, 1004, 1005], got.Select(d => (int)d.Address));
        // (250 - 24) / 100 = 2 elements per read, allocation 8 + 8 + 200 + 8 = 224.
        Assert.Equal([(1000, 2, 224), (1002, 2, 224), (1004, 2, 224)], t.Sent.Select(Res).Select(r => ((int)r.Start, r.Count, r.Alloc)));
    }

    [Fact]
    public async Task Reading_stops_when_the_library_reports_nothing_more()
    {
        var t = Over(SmallLibrary());
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { MaxElementsPerRead = 3 });
        // Asked for 1004-1012, the library has 1004 and 1005 only: the next read from 1006 returns no element.
        var got = await c.ReadElementStatusAsync(ElementType.Storage, 1004, 9);
        Assert.Equal([1004, 1005], got.Select(d => (int)d.Address));
        Assert.Equal([(1004, 3), (1006, 3)], t.Sent.Select(Res).Select(r => ((int)r.Start, r.Count)));
    }

    [Fact]
    public async Task Elements_outside_the_asked_range_are_dropped()
    {
        var lib = SmallLibrary();
        var t = Over(lib);
        await using var c = new SmcClient(t);
        var got = await c.ReadElementStatusAsync(ElementType.Storage, 1001, 2);
        Assert.Equal([1001, 1002], got.Select(d => (int)d.Address));
        Assert.All(got, d => Assert.Equal(ElementType.Storage, d.Type));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task No_elements_asked_is_no_command(int count)
    {
        var t = Over(SmallLibrary());
        await using var c = new SmcClient(t);
        Assert.Empty(await c.ReadElementStatusAsync(ElementType.Storage, 1000, count));
        Assert.Empty(t.Sent);
    }

    [Fact]
    public async Task All_element_types_is_refused_for_a_single_type_read()
    {
        await using var c = new SmcClient(new ScriptedTransport());
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await c.ReadElementStatusAsync(ElementType.All, 0, 1));
        Assert.Equal("type", e.ParamName);
    }

    [Fact]
    public async Task Drive_identifiers_are_asked_with_barcodes_for_drives_only()
    {
        var t = Over(SmallLibrary());
        await using var c = new SmcClient(t);
        var drives = await c.ReadElementStatusAsync(ElementType.DataTransfer, 500, 2);
        Assert.Equal(["DRV0", "DRV1"], drives.Select(d => d.Identifier?.Text));
        await c.ReadElementStatusAsync(ElementType.Storage, 1000, 1);
        Assert.Equal([(true, true), (true, false)], t.Sent.Select(Res).Select(r => (r.VolTag, r.Dvcid)));
        Assert.Empty(c.Learned);
    }

    [Fact]
    public async Task Current_data_is_asked_when_the_quirks_say_so_and_takes_the_default_timeout()
    {
        var t = Over(SmallLibrary());
        var quirks = new ChangerQuirks { CurrentData = true, DefaultTimeout = TimeSpan.FromSeconds(11), MoveTimeout = TimeSpan.FromSeconds(22) };
        await using var c = new SmcClient(t, quirks: quirks);
        await c.ReadElementStatusAsync(ElementType.Storage, 1000, 2);
        Assert.True(Res(t.Sent[0]).CurData);
        Assert.Equal(TimeSpan.FromSeconds(11), t.Sent[0].Timeout);
    }

    [Fact]
    public async Task Without_current_data_a_read_may_scan_and_takes_the_move_timeout()
    {
        var t = Over(SmallLibrary());
        var quirks = new ChangerQuirks { DefaultTimeout = TimeSpan.FromSeconds(11), MoveTimeout = TimeSpan.FromSeconds(22) };
        await using var c = new SmcClient(t, quirks: quirks);
        await c.ReadElementStatusAsync(ElementType.Storage, 1000, 2);
        Assert.False(Res(t.Sent[0]).CurData);
        Assert.Equal(TimeSpan.FromSeconds(22), t.Sent[0].Timeout);
    }

    [Fact]
    public async Task Identifiers_refused_with_barcodes_are_asked_separately_and_learned()
    {
        var lib = SmallLibrary();
        var t = new ScriptedTransport
        {
            Answer = (cmd, data) => (cmd.Cdb[1] & 0x10) != 0 && (cmd.Cdb[6] & 0x01) != 0 ? Check(5, 0x24, 0x00) : lib.Answer(cmd, data),
        };
        await using var c = new SmcClient(t);
        var drives = await c.ReadElementStatusAsync(ElementType.DataTransfer, 500, 2);
        Assert.Equal(["DRV0", "DRV1"], drives.Select(d => d.Identifier?.Text));
        Assert.Equal(DeviceIdSupport.WithoutVolumeTag, c.Quirks.DeviceId);
        Assert.Equal(["the library rejected drive identifiers together with barcodes (ILLEGAL REQUEST 05/24/00: invalid field in CDB); asking for them separately"], c.Learned);
        // Refused with both; again with barcodes only; then identifiers only, for the drives' range.
        Assert.Equal([(500, 2, true, true), (500, 2, true, false), (500, 2, false, true)],
            t.Sent.Select(Res).Select(r => ((int)r.Start, r.Count, r.VolTag, r.Dvcid)));
    }

    [Fact]
    public async Task Identifiers_refused_altogether_are_learned_as_unsupported()
    {
        var lib = SmallLibrary();
        var t = new ScriptedTransport
        {
            Answer = (cmd, data) => (cmd.Cdb[6] & 0x01) != 0 ? Check(5, 0x24, 0x00) : lib.Answer(cmd, data),
        };
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { DeviceId = DeviceIdSupport.WithoutVolumeTag });
        var drives = await c.ReadElementStatusAsync(ElementType.DataTransfer, 500, 2);
        Assert.Equal([500, 501], drives.Select(d => (int)d.Address));
        Assert.All(drives, d => Assert.Null(d.Identifier));
        Assert.Equal(DeviceIdSupport.Unsupported, c.Quirks.DeviceId);
        Assert.Equal(["the library does not report drive identifiers (ILLEGAL REQUEST 05/24/00: invalid field in CDB); drives are matched without them"], c.Learned);
        Assert.Equal([(true, false), (false, true)], t.Sent.Select(Res).Select(r => (r.VolTag, r.Dvcid)));
    }

    [Fact]
    public async Task Another_refusal_of_identifiers_is_not_swallowed()
    {
        var lib = SmallLibrary();
        var t = new ScriptedTransport { Answer = (cmd, data) => (cmd.Cdb[6] & 0x01) != 0 ? Check(5, 0x3B, 0x0D) : lib.Answer(cmd, data) };
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { DeviceId = DeviceIdSupport.WithoutVolumeTag });
        var e = await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.ReadElementStatusAsync(ElementType.DataTransfer, 500, 2));
        Assert.Equal("05/3B/0D", e.Sense.Triplet);
        Assert.Empty(c.Learned);
    }

    [Fact]
    public async Task A_separate_identifier_read_covers_the_drives_and_fills_only_missing_ones()
    {
        var lib = new ResLibrary().Add(ElementType.DataTransfer, 500, 4, id: i => i == 2 ? null : $"DRV{i}");
        var t = Over(lib);
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { DeviceId = DeviceIdSupport.WithoutVolumeTag });
        var drives = await c.ReadElementStatusAsync(ElementType.DataTransfer, 501, 3);
        Assert.Equal([501, 502, 503], drives.Select(d => (int)d.Address));
        Assert.Equal(["DRV1", null, "DRV3"], drives.Select(d => d.Identifier?.Text));
        Assert.Equal([(501, 3, true, false), (501, 3, false, true)], t.Sent.Select(Res).Select(r => ((int)r.Start, r.Count, r.VolTag, r.Dvcid)));
    }

    [Fact]
    public async Task Unsupported_identifiers_are_never_asked()
    {
        var t = Over(SmallLibrary());
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { DeviceId = DeviceIdSupport.Unsupported });
        var drives = await c.ReadElementStatusAsync(ElementType.DataTransfer, 500, 2);
        Assert.All(drives, d => Assert.Null(d.Identifier));
        Assert.False(Res(Assert.Single(t.Sent)).Dvcid);
    }

    [Fact]
    public async Task Per_type_reads_skip_empty_ranges_and_keep_the_range_order()
    {
        var t = Over(SmallLibrary());
        await using var c = new SmcClient(t);
        var got = await c.ReadAllElementStatusAsync([(ElementType.DataTransfer, 500, 2), (ElementType.MediumTransport, 0, 0), (ElementType.Storage, 1000, 2)]);
        Assert.Equal([(ElementType.DataTransfer, 500), (ElementType.DataTransfer, 501), (ElementType.Storage, 1000), (ElementType.Storage, 1001)],
            got.Select(d => (d.Type, (int)d.Address)));
        Assert.Equal([ElementType.DataTransfer, ElementType.Storage], t.Sent.Select(Res).Select(r => r.Type));
    }

    [Fact]
    public async Task Nothing_to_read_sends_nothing()
    {
        var t = Over(SmallLibrary());
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes });
        Assert.Empty(await c.ReadAllElementStatusAsync([(ElementType.Storage, 1000, 0)]));
        Assert.Empty(t.Sent);
    }

    [Fact]
    public async Task All_types_are_read_in_one_command_when_the_library_fits()
    {
        var t = Over(SmallLibrary());
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes });
        var got = await c.ReadAllElementStatusAsync(AllRanges);
        var res = Res(Assert.Single(t.Sent));
        // Type 0 from the lowest first address (0) over the span up to 1006; allocation: header, 4 page headers,
        // 11 descriptors at the budget, 8 spare.
        Assert.Equal((ElementType.All, (ushort)0, 1006, true, true, false, 8 + 4 * 8 + 11 * 100 + 8), res);
        Assert.Equal(11, got.Count);
        Assert.Equal(got.OrderBy(d => d.Type).ThenBy(d => d.Address).Select(d => (d.Type, d.Address)), got.Select(d => (d.Type, d.Address)));
        Assert.Equal(["DRV0", "DRV1"], got.Where(d => d.Type == ElementType.DataTransfer).Select(d => d.Identifier?.Text));
        Assert.Empty(c.Learned);
        Assert.Equal(ReadElementStatusStrategy.AllTypes, c.Quirks.ReadStrategy);
    }

    [Fact]
    public async Task All_types_without_identifiers_in_the_same_command_asks_them_separately()
    {
        var t = Over(SmallLibrary());
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes, DeviceId = DeviceIdSupport.WithoutVolumeTag });
        var got = await c.ReadAllElementStatusAsync(AllRanges);
        Assert.Equal(["DRV0", "DRV1"], got.Where(d => d.Type == ElementType.DataTransfer).Select(d => d.Identifier?.Text));
        Assert.Equal([(ElementType.All, true, false), (ElementType.DataTransfer, false, true)], t.Sent.Select(Res).Select(r => (r.Type, r.VolTag, r.Dvcid)));
    }

    [Fact]
    public async Task All_types_refused_is_learned_and_read_per_type()
    {
        var lib = SmallLibrary();
        var t = new ScriptedTransport { Answer = (cmd, data) => (cmd.Cdb[1] & 0x0F) == 0 ? Check(5, 0x24, 0x00) : lib.Answer(cmd, data) };
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes });
        var got = await c.ReadAllElementStatusAsync(AllRanges);
        Assert.Equal(11, got.Count);
        Assert.Equal(ReadElementStatusStrategy.PerType, c.Quirks.ReadStrategy);
        Assert.Equal(["the library rejected a READ ELEMENT STATUS of all element types (ILLEGAL REQUEST 05/24/00: invalid field in CDB); reading one element type at a time"], c.Learned);
        Assert.Equal([ElementType.All, ElementType.MediumTransport, ElementType.Storage, ElementType.ImportExport, ElementType.DataTransfer], t.Sent.Select(Res).Select(r => r.Type));
    }

    [Fact]
    public async Task All_types_refused_for_another_reason_fails()
    {
        var t = new ScriptedTransport(Check(5, 0x20, 0x00));
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes });
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.ReadAllElementStatusAsync(AllRanges));
        Assert.Single(t.Sent);
        Assert.Empty(c.Learned);
    }

    [Fact]
    public async Task All_types_with_an_element_missing_is_learned_and_read_per_type()
    {
        var lib = SmallLibrary();
        // The combined reply lacks the last drive (as tgt's all-types replies run short).
        var t = new ScriptedTransport
        {
            Answer = (cmd, data) =>
            {
                if ((cmd.Cdb[1] & 0x0F) != 0) return lib.Answer(cmd, data);
                var reply = ResLibrary.Build(lib.Elements.Where(e => e.Address != 501).OrderBy(e => e.Type).ThenBy(e => e.Address).ToList(), true, true);
                reply.CopyTo(data.Span);
                return ScsiResult.Good(reply.Length);
            },
        };
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes });
        var got = await c.ReadAllElementStatusAsync(AllRanges);
        Assert.Equal(11, got.Count);
        Assert.Equal(["a READ ELEMENT STATUS of all element types returned 10 of 11 elements; reading one element type at a time"], c.Learned);
        Assert.Equal(5, t.Sent.Count);
    }

    [Fact]
    public async Task All_types_with_a_cut_last_descriptor_is_read_per_type()
    {
        var lib = SmallLibrary();
        var t = new ScriptedTransport
        {
            Answer = (cmd, data) =>
            {
                if ((cmd.Cdb[1] & 0x0F) != 0) return lib.Answer(cmd, data);
                var reply = ResLibrary.Build(lib.Elements.OrderBy(e => e.Type).ThenBy(e => e.Address).ToList(), true, true);
                reply.AsSpan(0, reply.Length - 8).CopyTo(data.Span);          // the last descriptor 8 bytes short
                return ScsiResult.Good(reply.Length - 8);
            },
        };
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes });
        var got = await c.ReadAllElementStatusAsync(AllRanges);
        Assert.All(got, d => Assert.False(d.Partial));
        Assert.Equal(["a READ ELEMENT STATUS of all element types returned 11 of 11 elements; reading one element type at a time"], c.Learned);
    }

    [Fact]
    public async Task All_types_that_cannot_be_decoded_is_learned_and_read_per_type()
    {
        var lib = SmallLibrary();
        var t = new ScriptedTransport
        {
            Answer = (cmd, data) =>
            {
                if ((cmd.Cdb[1] & 0x0F) != 0) return lib.Answer(cmd, data);
                // A page with element type 00h.
                byte[] reply = [0, 0, 0, 1, 0, 0, 0, 8, 0x00, 0x80, 0, 48, 0, 0, 0, 0];
                reply.CopyTo(data.Span);
                return ScsiResult.Good(reply.Length);
            },
        };
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes });
        var got = await c.ReadAllElementStatusAsync(AllRanges);
        Assert.Equal(11, got.Count);
        var learned = Assert.Single(c.Learned);
        Assert.StartsWith("the library's READ ELEMENT STATUS of all element types could not be decoded (", learned);
        Assert.Contains("invalid element type code 00h", learned);
        Assert.EndsWith("); reading one element type at a time", learned);
    }

    [Fact]
    public async Task A_library_too_big_for_one_reply_is_read_per_type_without_learning()
    {
        var t = Over(SmallLibrary());
        // 11 elements > 10 per read: does not fit one command.
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes, MaxElementsPerRead = 10 });
        var got = await c.ReadAllElementStatusAsync(AllRanges);
        Assert.Equal(11, got.Count);
        Assert.DoesNotContain(ElementType.All, t.Sent.Select(Res).Select(r => r.Type));
        Assert.Empty(c.Learned);
        Assert.Equal(ReadElementStatusStrategy.AllTypes, c.Quirks.ReadStrategy);
    }

    [Fact]
    public async Task A_library_whose_reply_exceeds_the_allocation_cap_is_read_per_type()
    {
        var t = Over(SmallLibrary());
        // 8 + 4×8 + 11×100 = 1140 bytes needed; a 1139-byte cap does not fit, 1140 does.
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes, MaxAllocation = 1139 });
        await c.ReadAllElementStatusAsync(AllRanges);
        Assert.DoesNotContain(ElementType.All, t.Sent.Select(Res).Select(r => r.Type));
        var t2 = Over(SmallLibrary());
        await using var c2 = new SmcClient(t2, quirks: new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes, MaxAllocation = 1140 });
        await c2.ReadAllElementStatusAsync(AllRanges);
        var res = Res(Assert.Single(t2.Sent));
        Assert.Equal((ElementType.All, 1140), (res.Type, res.Alloc));      // the cap, not 1148
    }

    [Fact]
    public async Task All_types_keeps_only_the_asked_elements()
    {
        var t = Over(SmallLibrary());
        var quirks = new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes, DeviceId = DeviceIdSupport.Unsupported };
        await using var c = new SmcClient(t, quirks: quirks);
        // The reply holds every element from address 500 (storage 1000-1005 too, 8 descriptors of 48 bytes, 408 bytes
        // within the 432 allocated); only the asked ones are kept.
        var got = await c.ReadAllElementStatusAsync([(ElementType.Storage, 1001, 2), (ElementType.DataTransfer, 500, 2)]);
        Assert.Equal([(ElementType.Storage, 1001), (ElementType.Storage, 1002), (ElementType.DataTransfer, 500), (ElementType.DataTransfer, 501)],
            got.Select(d => (d.Type, (int)d.Address)));
        var res = Res(Assert.Single(t.Sent));
        Assert.Equal(((ushort)500, 1003 - 500, false, 8 + 2 * 8 + 4 * 100 + 8), (res.Start, res.Count, res.Dvcid, res.Alloc));
        Assert.Empty(c.Learned);
    }

    [Fact]
    public async Task One_element_is_read_by_a_targeted_command()
    {
        var t = Over(SmallLibrary());
        await using var c = new SmcClient(t);
        var d = await c.ReadElementAsync(ElementType.Storage, 1002);
        Assert.Equal((ushort)1002, d!.Address);
        Assert.Equal("VOL002L8", d.Barcode);
        var res = Res(Assert.Single(t.Sent));
        Assert.Equal(((ushort)1002, 1), (res.Start, res.Count));
        Assert.Null(await c.ReadElementAsync(ElementType.Storage, 1010));
    }

    [Theory]
    [InlineData(0x10000, 65524, 655)]            // (65536 - 24) / 100 elements, 8 + 8 + 65500 + 8 bytes
    [InlineData(50, 124, 1)]                     // never below one descriptor's worth
    public async Task Limits_come_from_the_quirks_within_the_transport(int maxAllocation, int expectedAlloc, int expectedCount)
    {
        var t = Over(new ResLibrary());
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { MaxAllocation = maxAllocation, MaxElementsPerRead = 5000 });
        await c.ReadElementStatusAsync(ElementType.Storage, 0, 5000);
        var res = Res(Assert.Single(t.Sent));
        Assert.Equal((expectedCount, expectedAlloc), (res.Count, res.Alloc));
    }

    [Fact]
    public async Task A_zero_element_limit_still_reads_one_at_a_time()
    {
        var t = Over(SmallLibrary());
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { MaxElementsPerRead = 0 });
        await c.ReadElementStatusAsync(ElementType.Storage, 1000, 2);
        Assert.Equal([(1000, 1, 124), (1001, 1, 124)], t.Sent.Select(Res).Select(r => ((int)r.Start, r.Count, r.Alloc)));
    }

    /// <summary>A transport answering every READ ELEMENT STATUS with <paramref name="elements"/>, pages in the given order.</summary>
    private static ScriptedTransport Fixed(List<(ElementType Type, ushort Address, bool Full, string? Barcode, string? Id)> elements, bool dvcid = false) => new()
    {
        Answer = (cmd, data) =>
        {
            var reply = ResLibrary.Build(elements, volTag: true, dvcid: dvcid);
            int n = Math.Min(reply.Length, data.Length);
            reply.AsSpan(0, n).CopyTo(data.Span);
            return ScsiResult.Good(n);
        },
    };

    [Fact]
    public async Task All_types_ignores_empty_ranges_when_placing_the_read()
    {
        var t = Over(SmallLibrary());
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes, DeviceId = DeviceIdSupport.Unsupported });
        var got = await c.ReadAllElementStatusAsync([(ElementType.MediumTransport, 0, 0), (ElementType.Storage, 1000, 2)]);
        Assert.Equal([1000, 1001], got.Select(d => (int)d.Address));
        var res = Res(Assert.Single(t.Sent));
        Assert.Equal((ElementType.All, (ushort)1000, 2, 8 + 8 + 200 + 8), (res.Type, res.Start, res.Count, res.Alloc));
    }

    [Fact]
    public async Task All_types_fits_when_the_library_has_exactly_the_element_limit()
    {
        var t = Over(SmallLibrary());
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes, MaxElementsPerRead = 11 });
        Assert.Equal(11, (await c.ReadAllElementStatusAsync(AllRanges)).Count);
        Assert.Equal(ElementType.All, Res(Assert.Single(t.Sent)).Type);
    }

    [Fact]
    public async Task All_types_sorts_by_type_and_address_and_keeps_the_last_of_a_repeated_element()
    {
        // Pages in the order drive, storage, and storage 1000 reported twice: empty, then full.
        var t = Fixed([(ElementType.DataTransfer, 501, false, null, null), (ElementType.DataTransfer, 500, false, null, null),
                       (ElementType.Storage, 1001, false, null, null), (ElementType.Storage, 1000, false, null, null), (ElementType.Storage, 1000, true, "LAST00L8", null)]);
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes, DeviceId = DeviceIdSupport.Unsupported });
        var got = await c.ReadAllElementStatusAsync([(ElementType.Storage, 1000, 2), (ElementType.DataTransfer, 500, 2)]);
        Assert.Equal([(ElementType.Storage, 1000), (ElementType.Storage, 1001), (ElementType.DataTransfer, 500), (ElementType.DataTransfer, 501)],
            got.Select(d => (d.Type, (int)d.Address)));
        Assert.Equal("LAST00L8", got[0].Barcode);
        Assert.Single(t.Sent);
    }

    [Fact]
    public async Task A_per_type_read_drops_other_types_and_addresses_before_the_start()
    {
        var t = Fixed([(ElementType.Storage, 999, true, "BEFORE", null), (ElementType.Storage, 1000, true, "VOL000", null), (ElementType.Storage, 1001, false, null, null),
                       (ElementType.ImportExport, 1002, true, "OTHER", null)]);
        await using var c = new SmcClient(t);
        var got = await c.ReadElementStatusAsync(ElementType.Storage, 1000, 3);
        Assert.Equal([1000, 1001], got.Select(d => (int)d.Address));
        Assert.All(got, d => Assert.Equal(ElementType.Storage, d.Type));
        // 1002 was not received: asked again from there, the same reply has nothing at or after 1002 of that type.
        Assert.Equal([(1000, 3), (1002, 1)], t.Sent.Select(Res).Select(r => ((int)r.Start, r.Count)));
    }

    [Fact]
    public async Task No_drives_asked_means_no_identifier_read()
    {
        var t = Over(SmallLibrary());
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes, DeviceId = DeviceIdSupport.WithoutVolumeTag });
        var got = await c.ReadAllElementStatusAsync([(ElementType.Storage, 1000, 6)]);
        Assert.Equal(6, got.Count);
        Assert.False(Res(Assert.Single(t.Sent)).Dvcid);
    }
}
