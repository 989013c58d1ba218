using System.Runtime.InteropServices;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;

namespace TapeChanger.Transport.Windows.Tests;

/// <summary>The header bytes each ABI would send, built without calling Windows.</summary>
public class RequestBuildingTests
{
    private static byte[] Bytes<T>(T value) where T : unmanaged
    {
        var b = new byte[Marshal.SizeOf<T>()];
        MemoryMarshal.Write(b, in value);
        return b;
    }

    private static PassThroughParameters InquiryParameters() =>
        PassThroughRequests.BuildParameters(SpcCommands.Inquiry(), 96, pathId: 1, targetId: 2, lun: 3);

    private static ulong Pointer(byte[] b, int offset) => Abi.Is64 ? BitConverter.ToUInt64(b, offset) : BitConverter.ToUInt32(b, offset);

    [Fact]
    public void Direct_request_carries_its_length_the_pointer_and_the_sense_offset()
    {
        var p = InquiryParameters();
        nuint pointer = Abi.Is64 ? unchecked((nuint)0x1122334455667788) : 0x00ABCDEF;
        var b = Bytes(SptdWithSense.Create(p, pointer));
        Assert.Equal(Abi.Pick(96, 80), b.Length);
        Assert.Equal(Abi.Pick(56, 44), BitConverter.ToUInt16(b, 0));         // Length = sizeof(SCSI_PASS_THROUGH_DIRECT)
        Assert.Equal(new byte[] { 1, 2, 3 }, b[3..6]);
        Assert.Equal(p.Cdb.Length, b[6]);
        Assert.Equal(32, b[7]);
        Assert.Equal(ScsiIoctlDirection.SCSI_IOCTL_DATA_IN, b[8]);
        Assert.Equal(96u, BitConverter.ToUInt32(b, 12));
        Assert.Equal(60u, BitConverter.ToUInt32(b, 16));                      // CommandTimeouts.Default = 60 s
        Assert.Equal((ulong)pointer, Pointer(b, Abi.Pick(24, 20)));
        Assert.Equal((uint)Abi.Pick(60, 48), BitConverter.ToUInt32(b, Abi.Pick(32, 24)));
        int cdb = Abi.Pick(36, 28);
        Assert.Equal(p.Cdb, b[cdb..(cdb + p.Cdb.Length)]);
    }

    [Fact]
    public void Buffered_requests_put_the_data_offset_after_the_wrapper()
    {
        var p = InquiryParameters();
        int size = Abi.Pick(96, 80);
        var b = Bytes(SptWithSense.Create(p, (nuint)size));
        Assert.Equal(size, b.Length);
        Assert.Equal(Abi.Pick(56, 44), BitConverter.ToUInt16(b, 0));
        Assert.Equal((ulong)size, Pointer(b, Abi.Pick(24, 20)));
        Assert.Equal((uint)Abi.Pick(60, 48), BitConverter.ToUInt32(b, Abi.Pick(32, 24)));
        Assert.False(SptWithSense.IsDirect);
        Assert.Equal(IoControlCodes.IOCTL_SCSI_PASS_THROUGH, SptWithSense.IoControlCode);
        Assert.Equal(IoControlCodes.IOCTL_SCSI_PASS_THROUGH_DIRECT, SptdWithSense.IoControlCode);
    }

    [Fact]
    public void No_data_commands_use_data_unspecified_and_zero_length()
    {
        var p = PassThroughRequests.BuildParameters(SpcCommands.TestUnitReady(), 0, 0, 0, 0);
        Assert.Equal(ScsiIoctlDirection.SCSI_IOCTL_DATA_UNSPECIFIED, p.DataIn);
        Assert.Equal(0u, p.DataTransferLength);
    }

    [Fact]
    public void Data_out_commands_use_data_out()
    {
        var cmd = new ScsiCommand("MODE SELECT(6)", [0x15, 0x10, 0, 0, 4, 0], DataDirection.Out, 4, CommandTimeouts.Default, [0, 0, 0, 0]);
        Assert.Equal(ScsiIoctlDirection.SCSI_IOCTL_DATA_OUT, PassThroughRequests.BuildParameters(cmd, 4, 0, 0, 0).DataIn);
    }

    [Theory]
    [InlineData(0, 1u)]
    [InlineData(0.2, 1u)]
    [InlineData(1.5, 2u)]
    [InlineData(600, 600u)]
    public void Timeout_is_whole_seconds_rounded_up(double seconds, uint expected) =>
        Assert.Equal(expected, PassThroughRequests.TimeoutSeconds(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Sense_copy_honours_the_returned_sense_length()
    {
        var w = SptdWithSense.Create(InquiryParameters(), 0);
        w.Sptd.SenseInfoLength = 18;
        unsafe { w.SenseBuf[0] = 0x70; w.SenseBuf[2] = 0x05; w.SenseBuf[12] = 0x24; }
        var sense = w.CopySense();
        Assert.Equal(18, sense.Length);
        Assert.Equal(0x70, sense[0]);
        Assert.Equal(0x24, sense[12]);
    }

    [Fact]
    public void Adapter_limits_follow_classpnp()
    {
        var l = SptAdapterLimits.From(maximumTransferLength: 0x20000, maximumPhysicalPages: 17, alignmentMask: 3, srbType: 1);
        Assert.Equal(16 * 4096, l.MaximumTransferLength);
        Assert.Equal(3, l.AlignmentMask);
        Assert.Equal(4096, SptAdapterLimits.From(100, 0, 0, 0).MaximumTransferLength);
        Assert.Equal(0x10000, SptAdapterLimits.From(0x10000, 0, 0, 0).MaximumTransferLength);
    }
}
