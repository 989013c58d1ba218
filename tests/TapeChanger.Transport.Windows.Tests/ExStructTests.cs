using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TapeChanger.Scsi.Cdb;

namespace TapeChanger.Transport.Windows.Tests;

/// <summary>SCSI_PASS_THROUGH(_DIRECT)_EX and their "with buffer" wrappers, per ABI (Windows SDK ntddscsi.h; wrappers as in Windows-driver-samples storage/tools/spti/src/spti.h).</summary>
public class ExStructTests
{
    private static int Off(Type t, string field) => (int)Marshal.OffsetOf(t, field);

    [Theory]
    [InlineData(typeof(ScsiPassThroughEx64), 64, 40, 48, 56, "BufferOffset")]
    [InlineData(typeof(ScsiPassThroughDirectEx64), 64, 40, 48, 56, "Buffer")]
    [InlineData(typeof(ScsiPassThroughEx32), 52, 40, 44, 48, "BufferOffset")]
    [InlineData(typeof(ScsiPassThroughDirectEx32), 52, 40, 44, 48, "Buffer")]
    public void Ex_headers(Type t, int size, int dataOut, int dataIn, int cdb, string suffix)
    {
        Assert.Equal(size, Marshal.SizeOf(t));
        Assert.Equal(4, Off(t, "Length"));
        Assert.Equal(8, Off(t, "CdbLength"));
        Assert.Equal(12, Off(t, "StorAddressLength"));
        Assert.Equal(16, Off(t, "ScsiStatus"));
        Assert.Equal(17, Off(t, "SenseInfoLength"));
        Assert.Equal(18, Off(t, "DataDirection"));
        Assert.Equal(20, Off(t, "TimeOutValue"));
        Assert.Equal(24, Off(t, "StorAddressOffset"));
        Assert.Equal(28, Off(t, "SenseInfoOffset"));
        Assert.Equal(32, Off(t, "DataOutTransferLength"));
        Assert.Equal(36, Off(t, "DataInTransferLength"));
        Assert.Equal(dataOut, Off(t, "DataOut" + suffix));
        Assert.Equal(dataIn, Off(t, "DataIn" + suffix));
        Assert.Equal(cdb, Off(t, "Cdb"));
    }

    [Theory]
    [InlineData(typeof(SptdExWithSense64), 144, 64, 96, 100, 112)]
    [InlineData(typeof(SptExWithSense64), 144, 64, 96, 100, 112)]
    [InlineData(typeof(SptdExWithSense32), 132, 52, 84, 88, 100)]
    [InlineData(typeof(SptExWithSense32), 132, 52, 84, 88, 100)]
    public void Ex_wrappers_match_spti_h(Type t, int size, int cdbBuf, int filler, int address, int sense)
    {
        Assert.Equal(size, Marshal.SizeOf(t));
        Assert.Equal(cdbBuf, Off(t, "CdbBuf"));
        Assert.Equal(filler, Off(t, "Filler"));
        Assert.Equal(address, Off(t, "StorAddress"));
        Assert.Equal(sense, Off(t, "SenseBuf"));
    }

    [Fact]
    public void Stor_addr_btl8_is_12_bytes()
    {
        Assert.Equal(12, Unsafe.SizeOf<StorAddrBtl8>());
        Assert.Equal(4, (int)Marshal.OffsetOf<StorAddrBtl8>("AddressLength"));
        Assert.Equal(8, (int)Marshal.OffsetOf<StorAddrBtl8>("Path"));
        Assert.Equal(10, (int)Marshal.OffsetOf<StorAddrBtl8>("Lun"));
    }

    [Fact]
    public void Ex_ioctl_codes()
    {
        Assert.Equal(IoControlCodes.IOCTL_SCSI_PASS_THROUGH_EX, IoControlCodes.CtlCode(4, 0x411, 0, 3));
        Assert.Equal(IoControlCodes.IOCTL_SCSI_PASS_THROUGH_DIRECT_EX, IoControlCodes.CtlCode(4, 0x412, 0, 3));
        Assert.Equal(IoControlCodes.IOCTL_SCSI_PASS_THROUGH_DIRECT_EX, SptdExWithSense64.IoControlCode);
        Assert.Equal(IoControlCodes.IOCTL_SCSI_PASS_THROUGH_EX, SptExWithSense32.IoControlCode);
    }

    [Fact]
    public void Direct_ex_64_request_bytes()
    {
        var p = PassThroughRequests.BuildParameters(SpcCommands.Inquiry(), 96, pathId: 1, targetId: 2, lun: 3, portNumber: 4);
        var w = SptdExWithSense64.Create(p, 0xAABBCCDD11223344);
        var b = new byte[144];
        MemoryMarshal.Write(b, in w);
        Assert.Equal(64u, BitConverter.ToUInt32(b, 4));
        Assert.Equal(6u, BitConverter.ToUInt32(b, 8));
        Assert.Equal(12u, BitConverter.ToUInt32(b, 12));
        Assert.Equal(32, b[17]);
        Assert.Equal(1, b[18]);                                        // data in
        Assert.Equal(100u, BitConverter.ToUInt32(b, 24));
        Assert.Equal(112u, BitConverter.ToUInt32(b, 28));
        Assert.Equal(0u, BitConverter.ToUInt32(b, 32));
        Assert.Equal(96u, BitConverter.ToUInt32(b, 36));
        Assert.Equal(0ul, BitConverter.ToUInt64(b, 40));
        Assert.Equal(0xAABBCCDD11223344ul, BitConverter.ToUInt64(b, 48));
        Assert.Equal(p.Cdb, b[56..62]);
        Assert.Equal(new byte[] { 1, 0, 4, 0, 4, 0, 0, 0, 1, 2, 3, 0 }, b[100..112]);   // STOR_ADDR_BTL8
        Assert.Equal(96u, w.DataTransferLength);
    }

    [Fact]
    public void Buffered_ex_32_data_out_request_bytes()
    {
        var cmd = new TapeChanger.Scsi.ScsiCommand("MODE SELECT(6)", [0x15, 0x10, 0, 0, 4, 0], TapeChanger.Scsi.DataDirection.Out, 4,
            TapeChanger.Scsi.CommandTimeouts.Default, [0, 0, 0, 0]);
        var p = PassThroughRequests.BuildParameters(cmd, 4, 0, 5, 0);
        var w = SptExWithSense32.Create(p, 132);
        var b = new byte[132];
        MemoryMarshal.Write(b, in w);
        Assert.Equal(52u, BitConverter.ToUInt32(b, 4));
        Assert.Equal(0, b[18]);                                        // data out
        Assert.Equal(4u, BitConverter.ToUInt32(b, 32));
        Assert.Equal(132u, BitConverter.ToUInt32(b, 40));
        Assert.Equal(0u, BitConverter.ToUInt32(b, 44));
        Assert.Equal(88u, BitConverter.ToUInt32(b, 24));
        Assert.Equal(100u, BitConverter.ToUInt32(b, 28));
        Assert.Equal(cmd.Cdb, b[48..54]);
        Assert.Equal(4u, w.DataTransferLength);
    }

    [Fact]
    public void Adapter_path_carries_the_port_number() =>
        Assert.Equal(7, SptPath.Parse(@"\\.\Scsi7:0:1:0").PortNumber);
}
