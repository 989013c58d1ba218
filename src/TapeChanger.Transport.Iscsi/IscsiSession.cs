using System.Globalization;
using TapeChanger.Scsi;
using TapeChanger.Transport.Iscsi.Pdu;

namespace TapeChanger.Transport.Iscsi;

/// <summary>
/// A single-connection iSCSI session (ErrorRecoveryLevel 0) in the full feature phase. Commands run one at a time.
/// If the connection drops while a command is outstanding, the session logs in again once (same ISID, so the target
/// reinstates it) and re-issues the command; if that fails the caller gets a <see cref="ScsiTransportException"/> that says so.
/// Every wait is bounded: connect, login, each command (its <see cref="ScsiCommand.Timeout"/>), text and logout.
/// </summary>
public sealed partial class IscsiSession : IAsyncDisposable
{
    private const int MaxLoginRounds = 16;

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly byte[] _isid;
    private IscsiConnection? _connection;
    private uint _itt;
    private uint _cmdSN;
    private uint _expStatSN;
    private uint _maxCmdSN;
    private bool _disposed;
    private bool _dropAfterCommand;

    private IscsiSession(IscsiSessionOptions options)
    {
        Options = options;
        _isid = new byte[6];
        // The ISID, first task tag and command number only have to differ between sessions; nothing is secret in them.
        // Random.Shared is seeded from the system's random bytes and needs no cryptography library: the cryptographic
        // generator loaded and initialised OpenSSL for them (about 12 million instructions per command line, callgrind).
        _isid[0] = 0x80;                                  // T=10b: random ISID (RFC 7143 §11.12.5)
        Random.Shared.NextBytes(_isid.AsSpan(1, 3));      // bytes 1-3 random, 4-5 qualifier 0
        _itt = (uint)Random.Shared.Next(1, int.MaxValue);
        _cmdSN = (uint)Random.Shared.Next(1, int.MaxValue);
    }

    public IscsiSessionOptions Options { get; }

    /// <summary>Negotiated operational parameters of the current connection.</summary>
    public IscsiNegotiatedParameters Parameters { get; private set; } = null!;

    /// <summary>Target-assigned session handle of the current login.</summary>
    public ushort Tsih { get; private set; }

    /// <summary>Keys the target sent during the last login (TargetAlias, TargetPortalGroupTag...).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> TargetKeys { get; private set; } = [];

    /// <summary>Number of successful logins (1 + reconnects).</summary>
    public int LoginCount { get; private set; }

    /// <summary>Set when the target sent an Asynchronous Message asking for logout; the session logs out and reconnects lazily.</summary>
    public int LogoutRequestsSeen { get; private set; }

    /// <summary>NOP-In pings from the target that were answered.</summary>
    public int NopInAnswered { get; private set; }

    /// <summary>Whether a connection is currently up.</summary>
    public bool IsConnected => _connection is not null;

    /// <summary>How the current connection waits for the target (<see cref="IscsiSessionOptions.WaitOnCallersThread"/>); null when none is up.</summary>
    internal Type? ConnectionType => _connection?.GetType();

    private string What => Options.IsDiscovery ? $"iSCSI discovery session at {Options.Portal}" : $"iSCSI target {Options.TargetName} at {Options.Portal}";

    /// <summary>Connects and logs in.</summary>
    public static async Task<IscsiSession> ConnectAsync(IscsiSessionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ChapUser is not null && options.ChapSecret is null)
            throw new ArgumentException("CHAP needs a secret as well as a user name (iscsi://user%secret@host/...)", nameof(options));
        var session = new IscsiSession(options);
        await session.LoginAsync(cancellationToken).ConfigureAwait(false);
        return session;
    }

    // ---------------------------------------------------------------- sequence numbers, logout

    private uint NextItt()
    {
        _itt++;
        if (_itt == IscsiConstants.ReservedTag) _itt = 1;
        return _itt;
    }

    /// <summary>Serial-number arithmetic (RFC 1982, 32 bits): only move MaxCmdSN forward.</summary>
    private void UpdateWindow(uint expCmdSN, uint maxCmdSN)
    {
        // ExpCmdSN acknowledges our commands; with one command at a time it needs no bookkeeping beyond validation.
        if ((int)(maxCmdSN - expCmdSN) < -1) return;              // invalid window: ignore (RFC 7143 §4.2.2.1)
        if ((int)(maxCmdSN - _maxCmdSN) > 0 || _maxCmdSN == 0) _maxCmdSN = maxCmdSN;
    }

    private async Task CloseConnectionAsync(bool logout)
    {
        _dropAfterCommand = false;
        var conn = _connection;
        _connection = null;
        if (conn is null) return;
        if (logout)
        {
            using var limit = conn.Limit(Options.LogoutTimeout, CancellationToken.None);
            try
            {
                uint itt = NextItt();
                await conn.SendAsync(new LogoutRequestPdu(true, LogoutReason.CloseSession, itt, 0, _cmdSN, _expStatSN), limit.Token).ConfigureAwait(false);
                while (await conn.ReceiveAsync(limit.Token).ConfigureAwait(false) is not LogoutResponsePdu)
                {
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ConnectionLostException or IscsiPduException)
            {
                // Logout is a courtesy: the target cleans up when the connection closes anyway.
            }
        }
        await conn.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Logs out (bounded by <see cref="IscsiSessionOptions.LogoutTimeout"/>) and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            await CloseConnectionAsync(logout: true).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }
}
