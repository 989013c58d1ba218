using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Sense;
using TapeChanger.Testing;
using TapeChanger.Transport;
using TapeChanger.Virtual;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Domain.Tests;

/// <summary>The domain's use of the sense policy: messages, element Except classification, map re-reads after UAs.</summary>
public sealed class SensePolicyDomainTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-policy-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    /// <summary>The virtual library with a hook that may replace a reply (a unit attention, an element ASC).</summary>
    private sealed class Hooked(VirtualTransport inner) : InterceptingTransport(inner)
    {
        public VirtualLibrary Library => inner.Library;
    }

    private async Task<(MediaChanger Changer, Hooked Transport)> OpenAsync()
    {
        var t = new Hooked((VirtualTransport)await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse("virtual:"), new TransportOpenContext(_state)));
        var changer = new MediaChanger(new SmcClient(t));
        await changer.Client.TestUnitReadyAsync();       // absorb the power-on UA of a fresh library
        return (changer, t);
    }

    private static void Once(Hooked t, string command, ScsiResult reply) => t.Once(command, reply);

    /// <summary>Sets Except and ASC/ASCQ on a targeted (one-element) READ ELEMENT STATUS of <paramref name="address"/>.</summary>
    private static Action<ScsiCommand, Memory<byte>> ElementAsc(ushort address, byte asc, byte ascq) => (cmd, data) =>
    {
        var cdb = cmd.Cdb;
        if (cmd.Name != "READ ELEMENT STATUS" || ((cdb[2] << 8) | cdb[3]) != address || ((cdb[4] << 8) | cdb[5]) != 1) return;
        var d = data.Span;
        d[16 + 2] |= 0x04;      // descriptor byte 2 bit 2: EXCEPT
        d[16 + 4] = asc;        // byte 4 ASC
        d[16 + 5] = ascq;       // byte 5 ASCQ
    };

    [Fact]
    public async Task Map_is_re_read_after_a_map_changing_unit_attention_only()
    {
        var (changer, t) = await OpenAsync();
        await using var _ = changer;
        await changer.GetMapAsync();
        int ModeSenses() => t.SentNames.Count(n => n.StartsWith("MODE SENSE", StringComparison.Ordinal));
        Assert.Equal(1, ModeSenses());

        // 2F/00 (commands cleared by another initiator) does not touch the map.
        Once(t, "READ ELEMENT STATUS", Check(6, 0x2F, 0x00));
        await changer.ReadElementAsync(1000);
        await changer.GetMapAsync();
        Assert.Equal(1, ModeSenses());

        // 2A/01 (mode parameters changed) does.
        Once(t, "READ ELEMENT STATUS", Check(6, 0x2A, 0x01));
        await changer.ReadElementAsync(1000);
        await changer.GetMapAsync();
        Assert.Equal(2, ModeSenses());
        await changer.GetMapAsync();
        Assert.Equal(2, ModeSenses());               // and only once
    }

    [Fact]
    public async Task A_cleaning_cartridge_element_asc_does_not_block_a_move()
    {
        var (changer, t) = await OpenAsync();
        await using var _ = changer;
        t.After = ElementAsc(1021, 0x30, 0x03);      // slot 22 holds CLN101L8; 30/03 "cleaning cartridge" (docs/reference/library-behaviour.md §14)
        var moved = await changer.TransferAsync(22, 21);
        Assert.Equal("CLN101L8", moved.Barcode);
    }

    [Fact]
    public async Task A_spent_cleaner_element_asc_does_not_block_its_ejection()
    {
        var (changer, t) = await OpenAsync();
        await using var _ = changer;
        t.After = ElementAsc(1021, 0x5A, 0x01);      // Quantum P: 5A/01 on a used-up cleaner
        var moved = await changer.ExportAsync(22, null);
        Assert.Equal("CLN101L8", moved.Barcode);
    }

    [Fact]
    public async Task A_disabled_element_blocks_the_move_with_the_tables_words()
    {
        var (changer, t) = await OpenAsync();
        await using var _ = changer;
        t.After = ElementAsc(1000, 0x3B, 0x18);
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.TransferAsync(1, 21));
        Assert.Equal(ChangerError.DeviceError, e.Error);
        Assert.Contains("the element is disabled; enable it at the library's panel [3B/18: element disabled]", e.Message);
    }

    [Fact]
    public async Task A_removed_magazine_is_operator_intervention()
    {
        var (changer, t) = await OpenAsync();
        await using var _ = changer;
        t.Library.RemoveMagazine(1);
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.TransferAsync(1, 21));
        Assert.Equal(ChangerError.OperatorIntervention, e.Error);
        Assert.Contains("a magazine is missing; insert it and retry [3B/12", e.Message);
    }

    [Theory]
    [InlineData(2, 0x04, 0x02, "INITIALIZE ELEMENT STATUS", ChangerError.NotReady, "the library needs an inventory first; run 'inventory' [NOT READY 02/04/02")]
    [InlineData(2, 0x04, 0x18, "MOVE MEDIUM", ChangerError.OperatorIntervention, "a library door is open; close the door [NOT READY 02/04/18")]
    [InlineData(5, 0x3B, 0x0E, "MOVE MEDIUM", ChangerError.SourceEmpty, "the source element is empty [ILLEGAL REQUEST 05/3B/0E")]
    [InlineData(4, 0x30, 0x07, "MOVE MEDIUM", ChangerError.CleaningFailed, "cleaning failed: the cleaning cartridge is used up or defective")]
    [InlineData(2, 0x04, 0x01, "MOVE MEDIUM", ChangerError.NotReady, "becoming ready (starting up or taking inventory), and did not become ready in time [NOT READY 02/04/01")]
    [InlineData(6, 0x29, 0x00, "MOVE MEDIUM", ChangerError.DeviceError, "powered on or reset, and kept reporting it after the retries [UNIT ATTENTION 06/29/00")]
    [InlineData(4, 0x08, 0x00, "MOVE MEDIUM", ChangerError.DeviceError, "the library reported a hardware error; check its panel [HARDWARE ERROR 04/08/00")]
    public void Failure_messages_say_what_happened_and_give_the_triplet(byte key, byte asc, byte ascq, string command, ChangerError error, string text)
    {
        var sense = SenseDecoder.Decode(Fixed(key, asc, ascq));
        var e = SenseClassifier.Classify(new ScsiCheckConditionException(command, sense), "load slot 1 into drive 0");
        Assert.Equal(error, e.Error);
        Assert.StartsWith("load slot 1 into drive 0 failed: ", e.Message);
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void Invalid_field_names_the_field_pointer()
    {
        // MSL3040 capture (docs/reference/library-behaviour.md §5): 05/24/00 with SKSV, C/D=1, field pointer byte 6 bit 4.
        var sense = SenseDecoder.Decode([0x70, 0, 5, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x24, 0x00, 0, 0xCC, 0x00, 0x06]);
        var e = SenseClassifier.Classify(new ScsiCheckConditionException("READ ELEMENT STATUS", sense), "read element status");
        Assert.Contains("the library rejected a field of the command", e.Message);
        Assert.Contains("(invalid CDB byte 6 bit 4)", e.Message);
    }

    [Fact]
    public void Every_sense_failure_has_its_own_changer_error()
    {
        var mapped = Enum.GetValues<SenseFailure>().Select(SenseClassifier.ErrorFor).ToList();
        Assert.Equal(mapped.Count, mapped.Distinct().Count());
        Assert.All(Enum.GetValues<SenseFailure>(), f => Assert.Equal(f.ToString(), SenseClassifier.ErrorFor(f).ToString()));
    }
}
