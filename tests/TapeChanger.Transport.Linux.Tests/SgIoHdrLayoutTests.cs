using System.Runtime.InteropServices;
using TapeChanger.Transport.Linux.Interop;

namespace TapeChanger.Transport.Linux.Tests;

/// <summary>struct sg_io_hdr layout, pinned to the gcc-computed offsets (Linux include/scsi/sg.h, offsets computed with gcc) for the running ABI.</summary>
public class SgIoHdrLayoutTests
{
    // field, LP64 offset (x86-64, arm64), ILP32 offset (i386, armhf)
    public static TheoryData<string, int, int> Fields => new()
    {
        { nameof(SgIoHdr.InterfaceId), 0, 0 },
        { nameof(SgIoHdr.DxferDirection), 4, 4 },
        { nameof(SgIoHdr.CmdLen), 8, 8 },
        { nameof(SgIoHdr.MxSbLen), 9, 9 },
        { nameof(SgIoHdr.IovecCount), 10, 10 },
        { nameof(SgIoHdr.DxferLen), 12, 12 },
        { nameof(SgIoHdr.Dxferp), 16, 16 },
        { nameof(SgIoHdr.Cmdp), 24, 20 },
        { nameof(SgIoHdr.Sbp), 32, 24 },
        { nameof(SgIoHdr.Timeout), 40, 28 },
        { nameof(SgIoHdr.Flags), 44, 32 },
        { nameof(SgIoHdr.PackId), 48, 36 },
        { nameof(SgIoHdr.UsrPtr), 56, 40 },
        { nameof(SgIoHdr.Status), 64, 44 },
        { nameof(SgIoHdr.MaskedStatus), 65, 45 },
        { nameof(SgIoHdr.MsgStatus), 66, 46 },
        { nameof(SgIoHdr.SbLenWr), 67, 47 },
        { nameof(SgIoHdr.HostStatus), 68, 48 },
        { nameof(SgIoHdr.DriverStatus), 70, 50 },
        { nameof(SgIoHdr.Resid), 72, 52 },
        { nameof(SgIoHdr.Duration), 76, 56 },
        { nameof(SgIoHdr.Info), 80, 60 },
    };

    [Fact]
    public unsafe void Size_matches_kernel_abi()
    {
        int expected = Environment.Is64BitProcess ? 88 : 64;
        Assert.Equal(expected, sizeof(SgIoHdr));
        Assert.Equal(expected, Marshal.SizeOf<SgIoHdr>());
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public void Field_offset_matches_kernel_abi(string field, int lp64, int ilp32)
    {
        int expected = Environment.Is64BitProcess ? lp64 : ilp32;
        Assert.Equal(expected, (int)Marshal.OffsetOf<SgIoHdr>(field));
    }

    [Fact]
    public void Every_field_is_covered()
    {
        var declared = typeof(SgIoHdr).GetFields().Select(f => f.Name).Order().ToArray();
        var tested = Fields.Select(row => (string)row[0]).Order().ToArray();
        Assert.Equal(declared, tested);
    }

    [Fact]
    public void Ioctl_numbers_are_the_plain_sg_values()
    {
        Assert.Equal((nuint)0x2285, Sg.SG_IO);
        Assert.Equal((nuint)0x2282, Sg.SG_GET_VERSION_NUM);
        Assert.Equal((nuint)0x2272, Sg.SG_GET_RESERVED_SIZE);
        Assert.Equal((nuint)0x1267, Sg.BLKSECTGET);
        Assert.Equal(0x53, Sg.InterfaceIdS);
        Assert.Equal((-1, -2, -3), (Sg.SG_DXFER_NONE, Sg.SG_DXFER_TO_DEV, Sg.SG_DXFER_FROM_DEV));
        Assert.True(Sg.SenseBufferSize >= 64);
    }
}
