using System.Net.Sockets;
using System.Text;

namespace TapeChanger.Server;

/// <summary>
/// systemd's watchdog (sd_notify(3), "WATCHDOG=1"; systemd.service(5) WatchdogSec=): when the service manager sets
/// WATCHDOG_USEC (and WATCHDOG_PID is this process or unset), "WATCHDOG=1" goes to NOTIFY_SOCKET every half period
/// while the engine answers. READY=1 and STOPPING=1 come from Microsoft.Extensions.Hosting.Systemd (UseSystemd).
/// </summary>
internal sealed class SystemdWatchdog(Service.ILibraryService engine, ILogger<SystemdWatchdog> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Period() is not { } period || NotifyEndpoint() is not { } endpoint) return;
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        byte[] ping = Encoding.ASCII.GetBytes("WATCHDOG=1");
        using var timer = new PeriodicTimer(period / 2);
        do
        {
            try
            {
                _ = engine.Libraries.Count;         // the engine is there and answers
                await socket.SendToAsync(ping, SocketFlags.None, endpoint, stoppingToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                log.LogWarning("systemd watchdog: cannot notify {Socket}: {Error}", endpoint, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>WATCHDOG_USEC when it is meant for this process, else null.</summary>
    internal static TimeSpan? Period()
    {
        if (!long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), out long usec) || usec <= 0) return null;
        string? pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pid) && pid != Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)) return null;
        return TimeSpan.FromTicks(Math.Max(usec * 10, TimeSpan.TicksPerMillisecond * 2));
    }

    /// <summary>NOTIFY_SOCKET: a path, or '@' for the abstract namespace.</summary>
    private static UnixDomainSocketEndPoint? NotifyEndpoint()
    {
        string? path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path)) return null;
        return new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
    }
}
