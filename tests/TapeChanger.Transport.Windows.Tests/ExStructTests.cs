using System.Runtime.InteropServices;
using TapeChanger.Scsi.Cdb;

namespace TapeChanger.Transport.Windows.Tests;

/// <summary>The bytes of SCSI_PASS_THROUGH(_DIRECT)_EX requests as this process sends them (layouts: StructLayoutTests).</summary>
public class ExStructTests
{
    private static byte[] Bytes<T>(T value) where T : unmanaged
    {
        var b = new byte[Marshal.SizeOf<T>()];
        MemoryMarshal.Write(b, in value);
        return b;
    }

    private static ulong Pointer(byte[] b, int offset) => Abi.Is64 ? BitConverter.ToUInt64(b, offset) : BitConverter.ToUInt32(b, offset);

    [Fact]
    public void Ex_ioctl_codes()
    {
        Assert.Equal(IoControlCodes.IOCTL_SCSI_PASS_THROUGH_EX, IoControlCodes.CtlCode(4, 0x411, 0, 3));
        Assert.Equal(IoControlCodes.IOCTL_SCSI_PASS_THROUGH_DIRECT_EX, IoControlCodes.CtlCode(4, 0x412, 0, 3));
        Assert.Equal(IoControlCodes.IOCTL_SCSI_PASS_THROUGH_DIRECT_EX, SptdExWithSense.IoControlCode);
        Assert.Equal(IoControlCodes.IOCTL_SCSI_PASS_THROUGH_EX, SptExWithSense.IoControlCode);
        Assert.True(SptdExWithSense.IsDirect);
        Assert.False(SptExWithSense.IsDirect);
    }

    [Fact]
    public void Direct_ex_request_bytes()
    {
        var p = PassThroughRequests.BuildParameters(SpcCommands.Inquiry(), 96, pathId: 1, targetId: 2, lun: 3, portNumber: 4);
        nuint pointer = Abi.Is64 ? unchecked((nuint)0xAABBCCDD11223344) : 0x11223344;
        var w = SptdExWithSense.Create(p, pointer);
        var b = Bytes(w);
        Assert.Equal(Abi.Pick(144, 132), b.Length);
        Assert.Equal((uint)Abi.Pick(64, 52), BitConverter.ToUInt32(b, 4));   // Length = sizeof(SCSI_PASS_THROUGH_DIRECT_EX)
        Assert.Equal(6u, BitConverter.ToUInt32(b, 8));
        Assert.Equal(12u, BitConverter.ToUInt32(b, 12));
        Assert.Equal(32, b[17]);
        Assert.Equal(1, b[18]);                                               // data in
        Assert.Equal((uint)Abi.Pick(100, 88), BitConverter.ToUInt32(b, 24));
        Assert.Equal((uint)Abi.Pick(112, 100), BitConverter.ToUInt32(b, 28));
        Assert.Equal(0u, BitConverter.ToUInt32(b, 32));
        Assert.Equal(96u, BitConverter.ToUInt32(b, 36));
        Assert.Equal(0ul, Pointer(b, 40));                                    // DataOutBuffer
        Assert.Equal((ulong)pointer, Pointer(b, Abi.Pick(48, 44)));          // DataInBuffer
        int cdb = Abi.Pick(56, 48);
        Assert.Equal(p.Cdb, b[cdb..(cdb + 6)]);
        int address = Abi.Pick(100, 88);
        Assert.Equal(new byte[] { 1, 0, 4, 0, 4, 0, 0, 0, 1, 2, 3, 0 }, b[address..(address + 12)]);   // STOR_ADDR_BTL8
        Assert.Equal(96u, w.DataTransferLength);
    }

    [Fact]
    public void Buffered_ex_data_out_request_bytes()
    {
        var cmd = new TapeChanger.Scsi.ScsiCommand("MODE SELECT(6)", [0x15, 0x10, 0, 0, 4, 0], TapeChanger.Scsi.DataDirection.Out, 4,
            TapeChanger.Scsi.CommandTimeouts.Default, [0, 0, 0, 0]);
        var p = PassThroughRequests.BuildParameters(cmd, 4, 0, 5, 0);
        int size = Abi.Pick(144, 132);
        var w = SptExWithSense.Create(p, (nuint)size);
        var b = Bytes(w);
        Assert.Equal((uint)Abi.Pick(64, 52), BitConverter.ToUInt32(b, 4));
        Assert.Equal(0, b[18]);                                               // data out
        Assert.Equal(4u, BitConverter.ToUInt32(b, 32));
        Assert.Equal((ulong)size, Pointer(b, 40));                            // DataOutBufferOffset: the data follows the wrapper
        Assert.Equal(0ul, Pointer(b, Abi.Pick(48, 44)));
        Assert.Equal((uint)Abi.Pick(100, 88), BitConverter.ToUInt32(b, 24));
        Assert.Equal((uint)Abi.Pick(112, 100), BitConverter.ToUInt32(b, 28));
        int cdb = Abi.Pick(56, 48);
        Assert.Equal(cmd.Cdb, b[cdb..(cdb + 6)]);
        Assert.Equal(4u, w.DataTransferLength);
    }

    [Fact]
    public void Adapter_path_carries_the_port_number() =>
        Assert.Equal(7, SptPath.Parse(@"\\.\Scsi7:0:1:0").PortNumber);
}
