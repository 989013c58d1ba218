using TapeChanger.Transport;

namespace TapeChanger.Composition;

/// <summary>
/// The composition root: the one assembly that names concrete transports. Each transport registers its
/// <see cref="IScsiTransportFactory"/> (device URI → transport) and, where it can reach tape drives next to a changer,
/// its <see cref="IDriveLocator"/>. The CLI works through the domain and this class (an architecture test over the
/// CLI and Cleaning assemblies holds them to that).
/// </summary>
public static class Transports
{
    public static DeviceAddress Parse(string uri) => DeviceUri.Parse(uri);

    /// <summary>Device URI → transport, with every transport this build has.</summary>
    public static TransportRegistry Registry() => new TransportRegistry()
        .Add(new TapeChanger.Virtual.VirtualTransportFactory())
        .Add(new TapeChanger.Transport.Linux.SgTransportFactory())
        .Add(new TapeChanger.Transport.Iscsi.IscsiTransportFactory())
        .Add(new TapeChanger.Transport.Windows.SptTransportFactory())
        .Add(new TapeChanger.Transport.Usb.UsbTransportFactory())
        .Add(new TapeChanger.Transport.Replay.CaptureReplayTransportFactory())
        .Add(new TapeChanger.Transport.Mhvtl.MhvtlTransportFactory());

    /// <summary>
    /// Drive locators: the virtual library's drive LUNs, Linux tape devices by VPD 80h serial (sysfs), the other
    /// LUNs of a changer's iSCSI target, the vtltape sockets device.conf binds to an mhvtl: library, and the other
    /// LUNs of a USB autoloader's Bulk-Only interface, and on Windows the tape class devices \\.\TapeN next to an
    /// spt: changer. replay: has none (a capture holds no drive), so a cleaning there waits the profile's cleaning time.
    /// </summary>
    public static DriveLocatorRegistry DriveLocators() => new DriveLocatorRegistry()
        .Add(new TapeChanger.Virtual.VirtualDriveLocator())
        .Add(new TapeChanger.Transport.Linux.SgDriveLocator())
        .Add(new TapeChanger.Transport.Iscsi.IscsiDriveLocator())
        .Add(new TapeChanger.Transport.Mhvtl.MhvtlDrivesLocator())
        .Add(new TapeChanger.Transport.Usb.UsbDriveLocator())
        .Add(new TapeChanger.Transport.Windows.SptDriveLocator());

    /// <summary>
    /// Storage slots per magazine as the device's own configuration states it: the virtual library's device.conf
    /// "Magazine size" (its magazine-removal faults use the same grouping). Null for every other device: a real
    /// library does not report magazines (SMC-3 READ ELEMENT STATUS has no such field), its hardware profile may.
    /// </summary>
    public static int? ConfiguredMagazineSize(DeviceAddress address) =>
        address.Scheme == DeviceScheme.Virtual ? TapeChanger.Virtual.VirtualLibraryConfig.Load(address.ConfigDirectory).Library.MagazineSize : null;

    public static ValueTask<IScsiTransport> OpenAsync(DeviceAddress address, TransportOpenContext context, CancellationToken ct) =>
        Registry().OpenAsync(address, context, ct);
}
