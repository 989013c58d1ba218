namespace TapeChanger.Transport.Linux.Tests;

public class SgLimitsTests
{
    [Theory]
    [InlineData(0, 60_000u)]             // no timeout: BLK_DEFAULT_SG_TIMEOUT
    [InlineData(-5, 60_000u)]
    [InlineData(0.0001, 1u)]             // rounded up, never 0 (which sg would treat as its default)
    [InlineData(1.5, 1_500u)]
    [InlineData(600, 600_000u)]          // CommandTimeouts.Move
    [InlineData(3600, 3_600_000u)]       // CommandTimeouts.Initialize
    [InlineData(1e9, (uint)int.MaxValue)] // clamped to INT_MAX as sg does
    public void Timeout_is_milliseconds(double seconds, uint expected) =>
        Assert.Equal(expected, SgLimits.TimeoutMilliseconds(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(32768, 524288, null, 524288)]       // sg 3.5.36: BLKSECTGET in bytes (512 KiB)
    [InlineData(32768, 1024, null, 524288)]         // sectors: below the reserved size
    [InlineData(32768, 2047, null, 1048064)]        // not a multiple of 512: sectors
    [InlineData(32768, 4194304, 1024, 1048576)]     // queue max_sectors_kb bounds it
    [InlineData(32768, null, null, 65536)]          // nothing known: 64 KiB fallback
    [InlineData(131072, null, null, 131072)]        // the reserved buffer always fits
    [InlineData(0, null, 256, 262144)]
    [InlineData(0, int.MaxValue - 511, null, 256 * 1024 * 1024 - 1)] // sg's 256 MiB ceiling
    public void Max_transfer_length(int reserved, int? blkSectGet, int? queueKb, int expected) =>
        Assert.Equal(expected, SgLimits.ComputeMaxTransferLength(reserved, blkSectGet, queueKb));
}
