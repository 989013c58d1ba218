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

    /// <summary>Same as <see cref="List"/>, but throws <see cref="TransportFailure.Unsupported"/> off Windows.</summary>
    public static IReadOnlyList<WindowsChangerInfo> ListOrThrow()
    {
        if (!OperatingSystem.IsWindows())
            throw new ScsiTransportException(TransportFailure.Unsupported, "listing \\\\.\\ChangerN devices needs Windows");
        return List();
    }
}
