using System.Net.Sockets;
using System.Text;

namespace TapeChanger.Server.Tests;

/// <summary>
/// The sd_notify protocol (sd_notify(3)) as systemd sees it with Type=notify: datagrams on the NOTIFY_SOCKET it
/// binds. tapechangerd says READY=1 only once it answers on its socket, WATCHDOG=1 every half WATCHDOG_USEC, and
/// STOPPING=1 on SIGTERM, then exits 0.
/// </summary>
public class SystemdNotifyTests
{
    [Fact]
    public async Task Ready_once_listening_watchdog_while_running_stopping_on_sigterm()
    {
        string dir = Directory.CreateTempSubdirectory("tc-notify-").FullName;
        string notify = Path.Combine(dir, "notify.sock");
        string state = Path.Combine(dir, "state");
        using var manager = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        manager.Bind(new UnixDomainSocketEndPoint(notify));
        var env = new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = notify,
            ["WATCHDOG_USEC"] = "2000000",   // 2 s: pings every second, with room for a loaded build machine
            ["TAPECHANGER_DEVICE"] = "virtual:",
        };
        using var daemon = DaemonProcess.Start(["--state-dir", state], env, underSystemd: true);
        try
        {
            var buffer = new byte[4096];
            async Task<string> NextAsync(TimeSpan timeout)
            {
                using var cts = new CancellationTokenSource(timeout);
                try
                {
                    int n = await manager.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                    return Encoding.ASCII.GetString(buffer, 0, n);
                }
                catch (OperationCanceledException)
                {
                    throw new Xunit.Sdk.XunitException($"no notification in {timeout.TotalSeconds} s; stdout: {daemon.Stdout} stderr: {daemon.Stderr}");
                }
            }

            string m;
            int watchdogsBeforeReady = 0;
            while ((m = await NextAsync(TimeSpan.FromSeconds(60))) != "READY=1")
            {
                Assert.Equal("WATCHDOG=1", m);
                watchdogsBeforeReady++;
            }
            // READY=1 means it answers: the socket is there and serves.
            using (var c = Client(Path.Combine(state, "tapechangerd.sock")))
            {
                Assert.Equal("ok\n", await c.GetStringAsync("healthz"));
            }
            // Pings sent meanwhile wait in the socket: drop them, then time fresh ones.
            while (manager.Available > 0) Assert.Equal("WATCHDOG=1", await NextAsync(TimeSpan.FromSeconds(1)));
            var pings = new List<DateTime>();
            while (pings.Count < 3)
            {
                Assert.Equal("WATCHDOG=1", await NextAsync(TimeSpan.FromSeconds(4)));
                pings.Add(DateTime.UtcNow);
            }
            // Every half period (1 s): two intervals take about 2 s. A flood would take milliseconds; a daemon that
            // pinged only once a period or less would take 4 s or more (systemd would have killed it).
            Assert.InRange((pings[2] - pings[0]).TotalMilliseconds, 1000, 3900);

            daemon.Signal("TERM");
            while ((m = await NextAsync(TimeSpan.FromSeconds(30))) == "WATCHDOG=1") { }
            Assert.Equal("STOPPING=1", m);
            Assert.Equal(0, daemon.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.Equal("", daemon.Stderr);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static HttpClient Client(string socket) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
            return new NetworkStream(s, ownsSocket: true);
        },
    }) { BaseAddress = new Uri("http://tapechangerd/") };
}
