using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h descriptor structs, natural alignment (gcc-checked on x86-64: 18 / 40 / 16 / 40 / 32 bytes).
// Pointer members are nint, so the same declarations give the ILP32 layouts (18 / 24 / 8 / 24 / 20) in 32-bit processes.
// Multi-byte fields are already in host byte order (libusb converts them).

/// <summary>struct libusb_device_descriptor (18 bytes on every ABI).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LibUsbDeviceDescriptor
{
    public byte bLength;
    public byte bDescriptorType;
    public ushort bcdUSB;
    public byte bDeviceClass;
    public byte bDeviceSubClass;
    public byte bDeviceProtocol;
    public byte bMaxPacketSize0;
    public ushort idVendor;
    public ushort idProduct;
    public ushort bcdDevice;
    public byte iManufacturer;
    public byte iProduct;
    public byte iSerialNumber;
    public byte bNumConfigurations;
}

/// <summary>struct libusb_config_descriptor (40 bytes LP64 / LLP64-64, 24 bytes 32-bit).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LibUsbConfigDescriptor
{
    public byte bLength;
    public byte bDescriptorType;
    public ushort wTotalLength;
    public byte bNumInterfaces;
    public byte bConfigurationValue;
    public byte iConfiguration;
    public byte bmAttributes;
    public byte MaxPower;
    /// <summary>const struct libusb_interface *, bNumInterfaces entries.</summary>
    public nint Interface;
    public nint Extra;
    public int ExtraLength;
}

/// <summary>struct libusb_interface (16 / 8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LibUsbInterface
{
    /// <summary>const struct libusb_interface_descriptor *, NumAltSetting entries.</summary>
    public nint AltSetting;
    public int NumAltSetting;
}

/// <summary>struct libusb_interface_descriptor (40 / 24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LibUsbInterfaceDescriptor
{
    public byte bLength;
    public byte bDescriptorType;
    public byte bInterfaceNumber;
    public byte bAlternateSetting;
    public byte bNumEndpoints;
    public byte bInterfaceClass;
    public byte bInterfaceSubClass;
    public byte bInterfaceProtocol;
    public byte iInterface;
    /// <summary>const struct libusb_endpoint_descriptor *, bNumEndpoints entries.</summary>
    public nint Endpoint;
    public nint Extra;
    public int ExtraLength;
}

/// <summary>struct libusb_endpoint_descriptor (32 / 20 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LibUsbEndpointDescriptor
{
    public byte bLength;
    public byte bDescriptorType;
    public byte bEndpointAddress;
    public byte bmAttributes;
    public ushort wMaxPacketSize;
    public byte bInterval;
    public byte bRefresh;
    public byte bSynchAddress;
    public nint Extra;
    public int ExtraLength;
}
