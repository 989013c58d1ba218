using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Windows.Tests;

/// <summary>Sizes and offsets per ABI, checked from any process because each ABI has its own struct (Windows SDK ntddscsi.h, winioctl.h; wrappers as in Windows-driver-samples spti.h).</summary>
public class StructLayoutTests
{
    private static int Off<T>(string field) => (int)Marshal.OffsetOf<T>(field);

    [Fact]
    public void ScsiPassThrough_x64_arm64_is_56_bytes_with_offsets_from_ntddscsi()
    {
        Assert.Equal(56, Unsafe.SizeOf<ScsiPassThrough64>());
        Assert.Equal(0, Off<ScsiPassThrough64>("Length"));
        Assert.Equal(2, Off<ScsiPassThrough64>("ScsiStatus"));
        Assert.Equal(3, Off<ScsiPassThrough64>("PathId"));
        Assert.Equal(4, Off<ScsiPassThrough64>("TargetId"));
        Assert.Equal(5, Off<ScsiPassThrough64>("Lun"));
        Assert.Equal(6, Off<ScsiPassThrough64>("CdbLength"));
        Assert.Equal(7, Off<ScsiPassThrough64>("SenseInfoLength"));
        Assert.Equal(8, Off<ScsiPassThrough64>("DataIn"));
        Assert.Equal(12, Off<ScsiPassThrough64>("DataTransferLength"));
        Assert.Equal(16, Off<ScsiPassThrough64>("TimeOutValue"));
        Assert.Equal(24, Off<ScsiPassThrough64>("DataBufferOffset"));
        Assert.Equal(32, Off<ScsiPassThrough64>("SenseInfoOffset"));
        Assert.Equal(36, Off<ScsiPassThrough64>("Cdb"));
    }

    [Fact]
    public void ScsiPassThroughDirect_x64_arm64_is_56_bytes_with_the_pointer_at_24()
    {
        Assert.Equal(56, Unsafe.SizeOf<ScsiPassThroughDirect64>());
        Assert.Equal(12, Off<ScsiPassThroughDirect64>("DataTransferLength"));
        Assert.Equal(16, Off<ScsiPassThroughDirect64>("TimeOutValue"));
        Assert.Equal(24, Off<ScsiPassThroughDirect64>("DataBuffer"));
        Assert.Equal(32, Off<ScsiPassThroughDirect64>("SenseInfoOffset"));
        Assert.Equal(36, Off<ScsiPassThroughDirect64>("Cdb"));
    }

    [Fact]
    public void ScsiPassThrough_x86_and_wow64_is_44_bytes()
    {
        Assert.Equal(44, Unsafe.SizeOf<ScsiPassThrough32>());
        Assert.Equal(7, Off<ScsiPassThrough32>("SenseInfoLength"));
        Assert.Equal(8, Off<ScsiPassThrough32>("DataIn"));
        Assert.Equal(12, Off<ScsiPassThrough32>("DataTransferLength"));
        Assert.Equal(16, Off<ScsiPassThrough32>("TimeOutValue"));
        Assert.Equal(20, Off<ScsiPassThrough32>("DataBufferOffset"));
        Assert.Equal(24, Off<ScsiPassThrough32>("SenseInfoOffset"));
        Assert.Equal(28, Off<ScsiPassThrough32>("Cdb"));
    }

    [Fact]
    public void ScsiPassThroughDirect_x86_and_wow64_is_44_bytes_with_a_32_bit_pointer()
    {
        Assert.Equal(44, Unsafe.SizeOf<ScsiPassThroughDirect32>());
        Assert.Equal(20, Off<ScsiPassThroughDirect32>("DataBuffer"));
        Assert.Equal(4, Marshal.SizeOf<uint>());
        Assert.Equal(24, Off<ScsiPassThroughDirect32>("SenseInfoOffset"));
        Assert.Equal(28, Off<ScsiPassThroughDirect32>("Cdb"));
    }

    [Theory]
    [InlineData(typeof(SptdWithSense64), 96, 56, 60)]
    [InlineData(typeof(SptWithSense64), 96, 56, 60)]
    [InlineData(typeof(SptdWithSense32), 80, 44, 48)]
    [InlineData(typeof(SptWithSense32), 80, 44, 48)]
    public void Sense_wrappers_match_spti_h(Type type, int size, int filler, int sense)
    {
        Assert.Equal(size, Marshal.SizeOf(type));
        Assert.Equal(filler, (int)Marshal.OffsetOf(type, "Filler"));
        Assert.Equal(sense, (int)Marshal.OffsetOf(type, "SenseBuf"));
    }

    [Fact]
    public void Wrapper_sense_offset_constants_match_the_layout()
    {
        Assert.Equal(SptdWithSense64.SenseOffset, Off<SptdWithSense64>("SenseBuf"));
        Assert.Equal(SptdWithSense32.SenseOffset, Off<SptdWithSense32>("SenseBuf"));
        Assert.Equal(SptWithSense64.SenseOffset, Off<SptWithSense64>("SenseBuf"));
        Assert.Equal(SptWithSense32.SenseOffset, Off<SptWithSense32>("SenseBuf"));
    }

    [Fact]
    public void Storage_structs_have_the_winioctl_sizes_on_every_abi()
    {
        Assert.Equal(12, Unsafe.SizeOf<StoragePropertyQuery>());
        Assert.Equal(32, Unsafe.SizeOf<StorageAdapterDescriptor>());
        Assert.Equal(8, Off<StorageAdapterDescriptor>("MaximumTransferLength"));
        Assert.Equal(12, Off<StorageAdapterDescriptor>("MaximumPhysicalPages"));
        Assert.Equal(16, Off<StorageAdapterDescriptor>("AlignmentMask"));
        Assert.Equal(24, Off<StorageAdapterDescriptor>("BusType"));
        Assert.Equal(26, Off<StorageAdapterDescriptor>("BusMajorVersion"));
        Assert.Equal(30, Off<StorageAdapterDescriptor>("SrbType"));
        Assert.Equal(31, Off<StorageAdapterDescriptor>("AddressType"));
        Assert.Equal(40, Unsafe.SizeOf<StorageDeviceDescriptor>());
        Assert.Equal(8, Off<StorageDeviceDescriptor>("DeviceType"));
        Assert.Equal(12, Off<StorageDeviceDescriptor>("VendorIdOffset"));
        Assert.Equal(24, Off<StorageDeviceDescriptor>("SerialNumberOffset"));
        Assert.Equal(28, Off<StorageDeviceDescriptor>("BusType"));
        Assert.Equal(36, Off<StorageDeviceDescriptor>("RawDeviceProperties"));
        Assert.Equal(8, Unsafe.SizeOf<ScsiAddress>());
        Assert.Equal(4, Off<ScsiAddress>("PortNumber"));
        Assert.Equal(7, Off<ScsiAddress>("Lun"));
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
