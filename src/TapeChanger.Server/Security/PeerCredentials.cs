using System.Buffers.Binary;
using System.Net.Sockets;

namespace TapeChanger.Server.Security;

/// <summary>The process at the other end of a Unix socket, as the kernel saw it connect (SO_PEERCRED; Linux socket(7), unix(7)).</summary>
public readonly record struct PeerCredentials(int Pid, int Uid, int Gid)
{
    // <sys/socket.h> on Linux: SOL_SOCKET = 1, SO_PEERCRED = 17; struct ucred { pid_t pid; uid_t uid; gid_t gid; } (3 x 32 bits).
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>The peer of a connected Unix socket, or null (not Unix, not Linux, or the kernel refused).</summary>
    public static PeerCredentials? Of(Socket? socket)
    {
        if (socket is null || socket.AddressFamily != AddressFamily.Unix || !OperatingSystem.IsLinux()) return null;
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            int n = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
            if (n < 12) return null;
        }
        catch (SocketException)
        {
            return null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        return new PeerCredentials(BinaryPrimitives.ReadInt32LittleEndian(ucred), BinaryPrimitives.ReadInt32LittleEndian(ucred[4..]),
            BinaryPrimitives.ReadInt32LittleEndian(ucred[8..]));
    }
}
