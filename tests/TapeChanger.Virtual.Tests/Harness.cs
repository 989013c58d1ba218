using Microsoft.Extensions.Time.Testing;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Testing;
using TapeChanger.Transport;

namespace TapeChanger.Virtual.Tests;

/// <summary>Runs commands against a library-10 emulator and decodes replies with the project's decoders.</summary>
public sealed class Harness
{
    public Harness(VirtualLibraryConfig? config = null, bool consumeReset = true)
    {
        Library = new VirtualLibrary(config ?? VirtualLibraryConfig.Load(null), null, Time);
        if (consumeReset) Assert.Equal("06/29/00", Sense(SpcCommands.TestUnitReady()).Triplet);
    }

    /// <summary>The library's clock: moved by hand (<see cref="FakeTimeProvider.Advance"/>); tests never sleep.</summary>
    public FakeTimeProvider Time { get; } = new(SteppingTime.Epoch);
    public VirtualLibrary Library { get; }

    public static ScsiCommand Raw(params byte[] cdb) => new("raw", cdb, DataDirection.In, 4096, TimeSpan.FromSeconds(1));

    public (ScsiResult Result, byte[] Data) Run(ScsiCommand cmd, int lun = 0)
    {
        var buf = new byte[Math.Max(cmd.TransferLength, 0)];
        var r = Library.Execute(lun, cmd, buf);
        return (r, buf.AsSpan(0, r.DataTransferred).ToArray());
    }

    public byte[] Ok(ScsiCommand cmd, int lun = 0)
    {
        var (r, d) = Run(cmd, lun);
        if (r.Status != ScsiStatus.Good) Assert.Fail($"{cmd} failed: {SenseDecoder.Decode(r.Sense).Describe()}");
        return d;
    }

    public SenseData Sense(ScsiCommand cmd, int lun = 0)
    {
        var (r, _) = Run(cmd, lun);
        Assert.Equal(ScsiStatus.CheckCondition, r.Status);
        Assert.Equal(96, r.Sense.Length);
        Assert.Equal(0x58, r.Sense[7]);
        return SenseDecoder.Decode(r.Sense);
    }

    public void Expect(string triplet, ScsiCommand cmd, int? fieldPointer = null, int lun = 0)
    {
        var s = Sense(cmd, lun);
        Assert.Equal(triplet, s.Triplet);
        if (fieldPointer is int fp)
        {
            Assert.NotNull(s.FieldPointer);
            Assert.True(s.FieldPointer!.InCdb);
            Assert.Equal(fp, s.FieldPointer.ByteIndex);
        }
    }

    public void Move(ushort src, ushort dst) => Ok(SmcCommands.MoveMedium(0, src, dst));

    public ElementStatusReport Res(ElementType type = ElementType.All, ushort start = 0, ushort count = 0xFFFF, bool volTag = true, bool dvcid = false, int alloc = 0xFFFF)
        => ElementStatusDecoder.Decode(Ok(SmcCommands.ReadElementStatus(type, start, count, alloc, volTag, dvcid)));

    public ElementDescriptor At(ushort address) => Res().Elements.Single(e => e.Address == address);

    public static string Hex(byte[] b) => string.Join(' ', b.Select(x => x.ToString("x2")));
}
