using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Linux.Interop;

/// <summary>An open file descriptor; -1 is invalid (fd 0 is a valid descriptor, so not SafeHandleZeroOrMinusOneIsInvalid).</summary>
internal sealed class SafeFdHandle : SafeHandle
{
    public SafeFdHandle(int fd) : base(invalidHandleValue: -1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    /// <summary>The descriptor number, for messages and tests.</summary>
    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
