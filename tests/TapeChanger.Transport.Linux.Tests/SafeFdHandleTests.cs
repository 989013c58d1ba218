using System.Runtime.Versioning;
using TapeChanger.Transport.Linux.Interop;

using TapeChanger.Testing;

namespace TapeChanger.Transport.Linux.Tests;

public class SafeFdHandleTests
{
    [Fact]
    public void Minus_one_is_invalid_and_zero_is_valid()
    {
        using var invalid = new SafeFdHandle(-1);
        Assert.True(invalid.IsInvalid);
        var zero = new SafeFdHandle(0);
        Assert.False(zero.IsInvalid);
        zero.SetHandleAsInvalid();   // never close stdin
    }

    [LinuxFact]
    [SupportedOSPlatform("linux")]
    public void Open_returns_a_descriptor_that_dispose_closes()
    {
        Assert.Equal(0, SgIo.Open("/dev/null", OpenFlags.O_RDONLY, out var h));
        int fd = h.Fd;
        Assert.True(fd >= 0);
        Assert.True(Directory.Exists($"/proc/self/fd/{fd}") || File.Exists($"/proc/self/fd/{fd}"));
        h.Dispose();
        Assert.True(h.IsClosed);
    }

    [LinuxFact]
    [SupportedOSPlatform("linux")]
    public void Open_failure_returns_errno_and_an_invalid_handle()
    {
        Assert.Equal(Errno.ENOENT, SgIo.Open("/nonexistent/sg0", OpenFlags.O_RDWR, out var h));
        Assert.True(h.IsInvalid);
    }
}
