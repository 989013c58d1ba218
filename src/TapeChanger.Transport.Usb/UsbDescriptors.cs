namespace TapeChanger.Transport.Usb;

/// <summary>One endpoint of an interface alternate setting.</summary>
public sealed record UsbEndpointInfo(byte Address, byte Attributes, ushort MaxPacketSize)
{
    public bool IsIn => (Address & 0x80) != 0;

    /// <summary>bmAttributes bits 1-0 = 2: bulk.</summary>
    public bool IsBulk => (Attributes & 0x03) == 0x02;
}

/// <summary>One interface alternate setting.</summary>
public sealed record UsbInterfaceInfo(byte Number, byte AlternateSetting, byte Class, byte SubClass, byte Protocol, IReadOnlyList<UsbEndpointInfo> Endpoints);

/// <summary>The interface and bulk endpoints a Bulk-Only session uses.</summary>
public readonly record struct BulkOnlyInterface(byte InterfaceNumber, byte BulkIn, byte BulkOut);

/// <summary>Finds the Bulk-Only mass storage interface (USB MSC BOT 1.0 §4.3: class 08h, subclass 06h, protocol 50h).</summary>
public static class BulkOnlyInterfaceSelector
{
    public const byte MassStorageClass = 0x08;
    /// <summary>USB_SC_SCSI, transparent SCSI command set.</summary>
    public const byte ScsiTransparentSubClass = 0x06;
    /// <summary>USB_PR_BULK, Bulk-Only. UAS (0x62) is a different protocol and is not used.</summary>
    public const byte BulkOnlyProtocol = 0x50;

    /// <summary>
    /// The first alternate setting 0 with class 08h, subclass 06h, protocol 50h and one bulk-in and one bulk-out
    /// endpoint. (UAS-capable devices offer BOT on alt 0 and UAS on alt 1.)
    /// </summary>
    public static BulkOnlyInterface? Find(IEnumerable<UsbInterfaceInfo> interfaces)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        foreach (var i in interfaces)
        {
            if (i.AlternateSetting != 0 || i.Class != MassStorageClass || i.SubClass != ScsiTransparentSubClass || i.Protocol != BulkOnlyProtocol) continue;
            var bulkIn = i.Endpoints.FirstOrDefault(e => e.IsBulk && e.IsIn);
            var bulkOut = i.Endpoints.FirstOrDefault(e => e.IsBulk && !e.IsIn);
            if (bulkIn is not null && bulkOut is not null) return new BulkOnlyInterface(i.Number, bulkIn.Address, bulkOut.Address);
        }
        return null;
    }
}
