using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Windows;

// Storage query structs (Windows SDK winioctl.h). No pointers: identical on x86, x64 and arm64.

/// <summary>STORAGE_PROPERTY_QUERY (12 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 12)]
internal struct StoragePropertyQuery
{
    internal const uint StorageDeviceProperty = 0;
    internal const uint StorageAdapterProperty = 1;
    internal const uint PropertyStandardQuery = 0;

    [FieldOffset(0)] public uint PropertyId;
    [FieldOffset(4)] public uint QueryType;
    [FieldOffset(8)] public byte AdditionalParameters;
}

/// <summary>STORAGE_ADAPTER_DESCRIPTOR (32 bytes; older systems return Size 30 without SrbType/AddressType).</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct StorageAdapterDescriptor
{
    [FieldOffset(0)] public uint Version;
    [FieldOffset(4)] public uint Size;
    [FieldOffset(8)] public uint MaximumTransferLength;
    [FieldOffset(12)] public uint MaximumPhysicalPages;
    [FieldOffset(16)] public uint AlignmentMask;
    [FieldOffset(20)] public byte AdapterUsesPio;
    [FieldOffset(21)] public byte AdapterScansDown;
    [FieldOffset(22)] public byte CommandQueueing;
    [FieldOffset(23)] public byte AcceleratedTransfer;
    [FieldOffset(24)] public byte BusType;
    [FieldOffset(26)] public ushort BusMajorVersion;
    [FieldOffset(28)] public ushort BusMinorVersion;
    /// <summary>SRB_TYPE_SCSI_REQUEST_BLOCK 0, SRB_TYPE_STORAGE_REQUEST_BLOCK 1 (then the _EX pass-through is preferred).</summary>
    [FieldOffset(30)] public byte SrbType;
    [FieldOffset(31)] public byte AddressType;
}

/// <summary>STORAGE_DEVICE_DESCRIPTOR fixed part (40 bytes); string offsets count from the struct start, 0 = absent.</summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal struct StorageDeviceDescriptor
{
    [FieldOffset(0)] public uint Version;
    [FieldOffset(4)] public uint Size;
    /// <summary>SCSI peripheral device type: 08h medium changer, 01h tape.</summary>
    [FieldOffset(8)] public byte DeviceType;
    [FieldOffset(9)] public byte DeviceTypeModifier;
    [FieldOffset(10)] public byte RemovableMedia;
    [FieldOffset(11)] public byte CommandQueueing;
    [FieldOffset(12)] public uint VendorIdOffset;
    [FieldOffset(16)] public uint ProductIdOffset;
    [FieldOffset(20)] public uint ProductRevisionOffset;
    [FieldOffset(24)] public uint SerialNumberOffset;
    [FieldOffset(28)] public uint BusType;
    [FieldOffset(32)] public uint RawPropertiesLength;
    [FieldOffset(36)] public byte RawDeviceProperties;
}

/// <summary>SCSI_ADDRESS (8 bytes), the reply of IOCTL_SCSI_GET_ADDRESS.</summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
internal struct ScsiAddress
{
    [FieldOffset(0)] public uint Length;
    [FieldOffset(4)] public byte PortNumber;
    [FieldOffset(5)] public byte PathId;
    [FieldOffset(6)] public byte TargetId;
    [FieldOffset(7)] public byte Lun;
}
