using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using TapeChanger.Scsi;

namespace TapeChanger.Transport.Windows;

/// <summary>How a probed <c>\\.\ChangerN</c> answered.</summary>
public enum ChangerProbeState
{
    /// <summary>Opened; identification filled from STORAGE_DEVICE_DESCRIPTOR when the query worked.</summary>
    Available,
    /// <summary>Exists but another program holds it (the changer class allows one open).</summary>
    Busy,
    /// <summary>Exists but needs elevation.</summary>
    AccessDenied,
    /// <summary>Exists but could not be opened for another reason.</summary>
    Error,
}

/// <summary>One changer device found by <see cref="WindowsChangerEnumerator.List"/>.</summary>
public sealed record WindowsChangerInfo(string DevicePath, ChangerProbeState State, int Win32Error, StorageDeviceInfo? Identity)
{
    /// <summary>The device URI to pass to --device.</summary>
    public string Uri => "spt:" + DevicePath;
}

/// <summary>Lists <c>\\.\Changer0</c>..<c>\\.\Changer31</c> by probing each with CreateFile.</summary>
public static class WindowsChangerEnumerator
{
    public const int MaxChangers = 32;

    [SupportedOSPlatform("windows")]
    public static IReadOnlyList<WindowsChangerInfo> List()
    {
        var found = new List<WindowsChangerInfo>();
        for (int n = 0; n < MaxChangers; n++)
        {
            string path = @"\\.\Changer" + n.ToString(CultureInfo.InvariantCulture);
            using var handle = SptTransport.OpenHandle(path);
            if (handle.IsInvalid)
            {
                int error = Marshal.GetLastPInvokeError();
                var state = Win32ErrorMapping.Classify(error) switch
                {
                    TransportFailure.NotFound => (ChangerProbeState?)null,
                    TransportFailure.Busy => ChangerProbeState.Busy,
                    TransportFailure.PermissionDenied => ChangerProbeState.AccessDenied,
                    _ => ChangerProbeState.Error,
                };
                if (state is { } s) found.Add(new WindowsChangerInfo(path, s, error, null));
                continue;
            }
            found.Add(new WindowsChangerInfo(path, ChangerProbeState.Available, 0, StorageQueries.QueryDevice(handle)));
        }
        return found;
    }

    /// <summary>
    /// True when the storage descriptor names nothing (the query failed, or answered without vendor and product, as
    /// Wine 8 does with a made-up CD-ROM descriptor): the identity must then come from INQUIRY and VPD page 80h.
    /// </summary>
    public static bool NeedsInquiry(StorageDeviceInfo? descriptor) =>
        descriptor is null || (descriptor.Vendor is null && descriptor.Product is null);

    /// <summary>
    /// The identity from standard INQUIRY (SPC-5 §6.7.2: peripheral device type, T10 vendor, product, revision) and the
    /// Unit Serial Number VPD page (SPC-5 §7.7.18), keeping whatever the descriptor did report (its bus type, a serial).
    /// </summary>
    public static StorageDeviceInfo FromInquiry(StorageDeviceInfo? descriptor, byte peripheralType, string vendor, string product, string revision, string? serial)
    {
        static string? Text(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
        return new StorageDeviceInfo(peripheralType, Text(vendor), Text(product), Text(revision),
            descriptor?.Serial ?? Text(serial), descriptor?.BusType ?? 0);
    }

    /// <summary>Same as <see cref="List"/>, but throws <see cref="TransportFailure.Unsupported"/> off Windows.</summary>
    public static IReadOnlyList<WindowsChangerInfo> ListOrThrow()
    {
        if (!OperatingSystem.IsWindows())
            throw new ScsiTransportException(TransportFailure.Unsupported, "listing \\\\.\\ChangerN devices needs Windows");
        return List();
    }
}
