using TapeChanger.Transport.Linux.Interop;

namespace TapeChanger.Transport.Linux;

/// <summary>Timeout and transfer-size rules of the sg transport (pure, platform-neutral).</summary>
public static class SgLimits
{
    /// <summary>Used when a command carries no timeout (the block layer's BLK_DEFAULT_SG_TIMEOUT).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Fallback transfer limit when the driver reports none.</summary>
    public const int FallbackMaxTransferLength = 64 * 1024;

    /// <summary>sg_io_hdr.timeout: milliseconds, rounded up; zero or negative means <see cref="DefaultTimeout"/>; capped at INT_MAX as sg does.</summary>
    public static uint TimeoutMilliseconds(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) timeout = DefaultTimeout;
        double ms = Math.Ceiling(timeout.TotalMilliseconds);
        return ms >= int.MaxValue ? int.MaxValue : (uint)Math.Max(1, ms);
    }

    /// <summary>
    /// The per-command transfer limit from what the driver reports. BLKSECTGET on an sg fd returns bytes
    /// (max_sectors_bytes) in sg 3.5.36, sectors in some other versions: since SG_GET_RESERVED_SIZE is clamped to
    /// max_sectors_bytes, a value below the reserved size, or not a multiple of 512, must be in sectors.
    /// </summary>
    public static int ComputeMaxTransferLength(int reservedSize, int? blkSectGet, int? queueMaxSectorsKb)
    {
        long limit = 0;
        if (blkSectGet is > 0 and int v)
        {
            bool sectors = v % 512 != 0 || (reservedSize > 0 && v < reservedSize);
            limit = sectors ? v * 512L : v;
        }
        if (queueMaxSectorsKb is > 0 and int kb)
        {
            long q = kb * 1024L;
            limit = limit == 0 ? q : Math.Min(limit, q);
        }
        if (limit == 0) limit = reservedSize > 0 ? Math.Max(reservedSize, FallbackMaxTransferLength) : FallbackMaxTransferLength;
        return (int)Math.Clamp(limit, 512, Sg.SgMaxDxferLen);
    }

}
