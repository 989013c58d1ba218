using System.Globalization;
using System.Text;
using TapeChanger.Transport.Iscsi.Pdu;

namespace TapeChanger.Transport.Iscsi;

/// <summary>What an initiator needs to log in. Defaults follow libiscsi where tgt accepts them (RFC 7143 §13 keys; libiscsi lib/login.c; tgt usr/iscsi/param.c).</summary>
public sealed record IscsiSessionOptions
{
    public required string Host { get; init; }
    public int Port { get; init; } = IscsiConstants.DefaultPort;
    /// <summary>Target IQN for a Normal session; null opens a Discovery session.</summary>
    public string? TargetName { get; init; }
    public string InitiatorName { get; init; } = IscsiNames.DefaultInitiatorName();
    /// <summary>CHAP user name; null = no authentication (AuthMethod=None).</summary>
    public string? ChapUser { get; init; }
    public string? ChapSecret { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Whole login exchange (all stages).</summary>
    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>Logout on dispose; a silent target only delays disposal this long.</summary>
    public TimeSpan LogoutTimeout { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Text exchanges (SendTargets).</summary>
    public TimeSpan TextTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Our receive limit per PDU, declared to the target.</summary>
    public int MaxRecvDataSegmentLength { get; init; } = 262144;
    public int MaxBurstLength { get; init; } = 262144;
    public int FirstBurstLength { get; init; } = 65536;
    /// <summary>Offer InitialR2T=No (allows unsolicited Data-Out); the target's Yes wins (OR).</summary>
    public bool InitialR2T { get; init; }
    /// <summary>Offer ImmediateData=Yes; the target's No wins (AND).</summary>
    public bool ImmediateData { get; init; } = true;
    /// <summary>Re-login once and re-issue the command when the connection drops mid-command.</summary>
    public bool Reconnect { get; init; } = true;

    /// <summary>
    /// Wait for the target in poll(2) on the calling thread (Linux; elsewhere the socket engine is used anyway) instead
    /// of through .NET's socket engine: for a process that blocks on each exchange anyway, the command line. No socket
    /// engine, thread-pool or timer thread is started, and a round trip costs no context switch beyond the target's.
    /// A service keeps it off: a waiting request then holds no thread. Default: the <see cref="WaitOnCallersThreadSwitch"/>
    /// switch of the running program (the CLI's project file sets it).
    /// </summary>
    public bool WaitOnCallersThread { get; init; } = AppContext.TryGetSwitch(WaitOnCallersThreadSwitch, out bool on) && on;

    /// <summary>The AppContext switch (RuntimeHostConfigurationOption) behind <see cref="WaitOnCallersThread"/>'s default.</summary>
    public const string WaitOnCallersThreadSwitch = "TapeChanger.Transport.Iscsi.WaitOnCallersThread";

    public bool IsDiscovery => TargetName is null;

    /// <summary>"host:port", with brackets around IPv6 literals.</summary>
    public string Portal => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>Values in force after login (RFC 7143 §13 result functions).</summary>
public sealed record IscsiNegotiatedParameters(
    int TargetMaxRecvDataSegmentLength, int MaxBurstLength, int FirstBurstLength, bool InitialR2T, bool ImmediateData,
    int MaxOutstandingR2T, int ErrorRecoveryLevel, bool DataPduInOrder, bool DataSequenceInOrder, int DefaultTime2Wait, int DefaultTime2Retain);

public static class IscsiNames
{
    /// <summary>Naming authority of this project's initiators.</summary>
    public const string InitiatorPrefix = "iqn.2026-11.dev.tapechanger";

    /// <summary>iqn.2026-11.dev.tapechanger:&lt;hostname&gt;, the host name lower-cased and reduced to IQN characters.</summary>
    public static string DefaultInitiatorName()
    {
        string host;
        try
        {
            host = Environment.MachineName;
        }
        catch (InvalidOperationException)
        {
            host = "localhost";
        }
        var sb = new StringBuilder();
        foreach (char c in host.ToLowerInvariant())
        {
            sb.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' ? c : '-');
        }
        return $"{InitiatorPrefix}:{(sb.Length == 0 ? "localhost" : sb.ToString())}";
    }
}
