using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Windows.Tests;

/// <summary>
/// Sizes and offsets per ABI (Windows SDK ntddscsi.h, winioctl.h; the "with buffer" wrappers as in
/// Windows-driver-samples storage/tools/spti/src/spti.h). Each struct is declared once; the x86 and x64/arm64 columns
/// are checked from any process through the C layout of the declaration (<see cref="CLayout"/>), and the running
/// process's column against the runtime's actual layout.
/// </summary>
public class StructLayoutTests
{
    // (type, field, x64/arm64 offset, x86 offset); the "sizeof" rows give the struct size.
    public static TheoryData<Type, string, int, int> Table => new()
    {
        { typeof(ScsiPassThrough), "Length", 0, 0 },
        { typeof(ScsiPassThrough), "ScsiStatus", 2, 2 },
        { typeof(ScsiPassThrough), "PathId", 3, 3 },
        { typeof(ScsiPassThrough), "TargetId", 4, 4 },
        { typeof(ScsiPassThrough), "Lun", 5, 5 },
        { typeof(ScsiPassThrough), "CdbLength", 6, 6 },
        { typeof(ScsiPassThrough), "SenseInfoLength", 7, 7 },
        { typeof(ScsiPassThrough), "DataIn", 8, 8 },
        { typeof(ScsiPassThrough), "DataTransferLength", 12, 12 },
        { typeof(ScsiPassThrough), "TimeOutValue", 16, 16 },
        { typeof(ScsiPassThrough), "DataBufferOffset", 24, 20 },
        { typeof(ScsiPassThrough), "SenseInfoOffset", 32, 24 },
        { typeof(ScsiPassThrough), "Cdb", 36, 28 },
        { typeof(ScsiPassThrough), "sizeof", 56, 44 },
        { typeof(ScsiPassThroughDirect), "DataTransferLength", 12, 12 },
        { typeof(ScsiPassThroughDirect), "TimeOutValue", 16, 16 },
        { typeof(ScsiPassThroughDirect), "DataBuffer", 24, 20 },
        { typeof(ScsiPassThroughDirect), "SenseInfoOffset", 32, 24 },
        { typeof(ScsiPassThroughDirect), "Cdb", 36, 28 },
        { typeof(ScsiPassThroughDirect), "sizeof", 56, 44 },
        { typeof(SptdWithSense), "Filler", 56, 44 },
        { typeof(SptdWithSense), "SenseBuf", 60, 48 },
        { typeof(SptdWithSense), "sizeof", 96, 80 },
        { typeof(SptWithSense), "Filler", 56, 44 },
        { typeof(SptWithSense), "SenseBuf", 60, 48 },
        { typeof(SptWithSense), "sizeof", 96, 80 },
        { typeof(ScsiPassThroughEx), "Version", 0, 0 },
        { typeof(ScsiPassThroughEx), "Length", 4, 4 },
        { typeof(ScsiPassThroughEx), "CdbLength", 8, 8 },
        { typeof(ScsiPassThroughEx), "StorAddressLength", 12, 12 },
        { typeof(ScsiPassThroughEx), "ScsiStatus", 16, 16 },
        { typeof(ScsiPassThroughEx), "SenseInfoLength", 17, 17 },
        { typeof(ScsiPassThroughEx), "DataDirection", 18, 18 },
        { typeof(ScsiPassThroughEx), "TimeOutValue", 20, 20 },
        { typeof(ScsiPassThroughEx), "StorAddressOffset", 24, 24 },
        { typeof(ScsiPassThroughEx), "SenseInfoOffset", 28, 28 },
        { typeof(ScsiPassThroughEx), "DataOutTransferLength", 32, 32 },
        { typeof(ScsiPassThroughEx), "DataInTransferLength", 36, 36 },
        { typeof(ScsiPassThroughEx), "DataOutBufferOffset", 40, 40 },
        { typeof(ScsiPassThroughEx), "DataInBufferOffset", 48, 44 },
        { typeof(ScsiPassThroughEx), "Cdb", 56, 48 },
        { typeof(ScsiPassThroughEx), "sizeof", 64, 52 },
        { typeof(ScsiPassThroughDirectEx), "DataOutBuffer", 40, 40 },
        { typeof(ScsiPassThroughDirectEx), "DataInBuffer", 48, 44 },
        { typeof(ScsiPassThroughDirectEx), "Cdb", 56, 48 },
        { typeof(ScsiPassThroughDirectEx), "sizeof", 64, 52 },
        { typeof(SptdExWithSense), "CdbBuf", 64, 52 },
        { typeof(SptdExWithSense), "Filler", 96, 84 },
        { typeof(SptdExWithSense), "StorAddress", 100, 88 },
        { typeof(SptdExWithSense), "SenseBuf", 112, 100 },
        { typeof(SptdExWithSense), "sizeof", 144, 132 },
        { typeof(SptExWithSense), "CdbBuf", 64, 52 },
        { typeof(SptExWithSense), "Filler", 96, 84 },
        { typeof(SptExWithSense), "StorAddress", 100, 88 },
        { typeof(SptExWithSense), "SenseBuf", 112, 100 },
        { typeof(SptExWithSense), "sizeof", 144, 132 },
        { typeof(StorAddrBtl8), "Port", 2, 2 },
        { typeof(StorAddrBtl8), "AddressLength", 4, 4 },
        { typeof(StorAddrBtl8), "Path", 8, 8 },
        { typeof(StorAddrBtl8), "Lun", 10, 10 },
        { typeof(StorAddrBtl8), "sizeof", 12, 12 },
    };

    private static int Layout(CLayout.Result r, string field) => field == "sizeof" ? r.Size : r.Offsets[field];

    [Theory]
    [MemberData(nameof(Table))]
    public void The_declaration_gives_the_sdk_layout_on_x64_arm64_and_x86(Type type, string field, int x64, int x86)
    {
        Assert.Equal(x64, Layout(CLayout.Of(type, pointerSize: 8), field));
        Assert.Equal(x86, Layout(CLayout.Of(type, pointerSize: 4), field));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void The_runtime_lays_it_out_as_the_table_says_for_this_process(Type type, string field, int x64, int x86)
    {
        int actual = field == "sizeof" ? Marshal.SizeOf(type) : (int)Marshal.OffsetOf(type, field);
        Assert.Equal(Abi.Pick(x64, x86), actual);
    }

    [Fact]
    public void The_layout_model_follows_the_runtime_for_every_struct_in_this_process()
    {
        foreach (var t in new[] { typeof(ScsiPassThrough), typeof(ScsiPassThroughDirect), typeof(ScsiPassThroughEx), typeof(ScsiPassThroughDirectEx),
                     typeof(SptdWithSense), typeof(SptWithSense), typeof(SptdExWithSense), typeof(SptExWithSense), typeof(StorAddrBtl8) })
        {
            var model = CLayout.Of(t, IntPtr.Size);
            Assert.Equal(model.Size, Marshal.SizeOf(t));
            foreach (var (name, offset) in model.Offsets) Assert.Equal(offset, (int)Marshal.OffsetOf(t, name));
        }
    }

    [Fact]
    public void Wrapper_offset_constants_match_the_layout()
    {
        Assert.Equal(Abi.Pick(60, 48), SptdWithSense.SenseOffset);
        Assert.Equal(Abi.Pick(60, 48), SptWithSense.SenseOffset);
        Assert.Equal((Abi.Pick(56, 48), Abi.Pick(100, 88), Abi.Pick(112, 100)), SptdExWithSense.Offsets);
        Assert.Equal((Abi.Pick(56, 48), Abi.Pick(100, 88), Abi.Pick(112, 100)), SptExWithSense.Offsets);
    }

    [Fact]
    public void Storage_structs_have_the_winioctl_sizes_on_every_abi()
    {
        Assert.Equal(12, Unsafe.SizeOf<StoragePropertyQuery>());
        Assert.Equal(32, Unsafe.SizeOf<StorageAdapterDescriptor>());
        Assert.Equal(8, (int)Marshal.OffsetOf<StorageAdapterDescriptor>("MaximumTransferLength"));
        Assert.Equal(12, (int)Marshal.OffsetOf<StorageAdapterDescriptor>("MaximumPhysicalPages"));
        Assert.Equal(16, (int)Marshal.OffsetOf<StorageAdapterDescriptor>("AlignmentMask"));
        Assert.Equal(24, (int)Marshal.OffsetOf<StorageAdapterDescriptor>("BusType"));
        Assert.Equal(26, (int)Marshal.OffsetOf<StorageAdapterDescriptor>("BusMajorVersion"));
        Assert.Equal(30, (int)Marshal.OffsetOf<StorageAdapterDescriptor>("SrbType"));
        Assert.Equal(31, (int)Marshal.OffsetOf<StorageAdapterDescriptor>("AddressType"));
        Assert.Equal(40, Unsafe.SizeOf<StorageDeviceDescriptor>());
        Assert.Equal(8, (int)Marshal.OffsetOf<StorageDeviceDescriptor>("DeviceType"));
        Assert.Equal(12, (int)Marshal.OffsetOf<StorageDeviceDescriptor>("VendorIdOffset"));
        Assert.Equal(24, (int)Marshal.OffsetOf<StorageDeviceDescriptor>("SerialNumberOffset"));
        Assert.Equal(28, (int)Marshal.OffsetOf<StorageDeviceDescriptor>("BusType"));
        Assert.Equal(36, (int)Marshal.OffsetOf<StorageDeviceDescriptor>("RawDeviceProperties"));
        Assert.Equal(8, Unsafe.SizeOf<ScsiAddress>());
        Assert.Equal(4, (int)Marshal.OffsetOf<ScsiAddress>("PortNumber"));
        Assert.Equal(7, (int)Marshal.OffsetOf<ScsiAddress>("Lun"));
    }

    [Fact]
    public void Ioctl_codes_follow_ctl_code()
    {
        Assert.Equal(IoControlCodes.IOCTL_SCSI_PASS_THROUGH, IoControlCodes.CtlCode(4, 0x401, 0, 3));
        Assert.Equal(IoControlCodes.IOCTL_SCSI_PASS_THROUGH_DIRECT, IoControlCodes.CtlCode(4, 0x405, 0, 3));
        Assert.Equal(IoControlCodes.IOCTL_SCSI_GET_ADDRESS, IoControlCodes.CtlCode(4, 0x406, 0, 0));
        Assert.Equal(IoControlCodes.IOCTL_STORAGE_QUERY_PROPERTY, IoControlCodes.CtlCode(0x2D, 0x500, 0, 0));
        Assert.Equal(315396u, IoControlCodes.IOCTL_SCSI_PASS_THROUGH);
        Assert.Equal(315412u, IoControlCodes.IOCTL_SCSI_PASS_THROUGH_DIRECT);
    }
}
