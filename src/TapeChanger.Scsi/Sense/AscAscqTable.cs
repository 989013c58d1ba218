using System.Collections.Frozen;

namespace TapeChanger.Scsi.Sense;

/// <summary>
/// ASC/ASCQ meanings for the codes a changer and its drives report (SPC-4 annex D, the ASC and ASCQ assignments;
/// only the codes changers and tape drives use). Unknown vendor codes (ASC or ASCQ ≥ 80h) are described as vendor specific.
/// </summary>
public static class AscAscqTable
{
    // Stryker disable String : the meanings are message wording, not behaviour (docs/mutation.md, "Left out of the runs")
    private static readonly FrozenDictionary<ushort, string> Entries = new Dictionary<ushort, string>
    {
        [0x0000] = "no additional sense information",
        [0x0016] = "operation in progress",
        [0x0017] = "cleaning requested",
        [0x0400] = "logical unit not ready, cause not reportable",
        [0x0401] = "logical unit is in process of becoming ready",
        [0x0402] = "logical unit not ready, initializing command required",
        [0x0403] = "logical unit not ready, manual intervention required",
        [0x0407] = "logical unit not ready, operation in progress",
        [0x0412] = "logical unit not ready, offline",
        [0x0415] = "logical unit not ready, robotics disabled",
        [0x0416] = "logical unit not ready, configuration required",
        [0x0417] = "logical unit not ready, calibration required",
        [0x0418] = "logical unit not ready, a door is open",
        [0x0483] = "logical unit not ready, library in pause mode (vendor)",
        [0x0485] = "logical unit not ready, library in pause mode (vendor)",
        [0x0800] = "logical unit communication failure",
        [0x0801] = "logical unit communication time-out",
        [0x1501] = "mechanical positioning error",
        [0x1A00] = "parameter list length error",
        [0x2000] = "invalid command operation code",
        [0x2101] = "invalid element address",
        [0x2400] = "invalid field in CDB",
        [0x2500] = "logical unit not supported",
        [0x2600] = "invalid field in parameter list",
        [0x2601] = "parameter not supported",
        [0x2602] = "parameter value invalid",
        [0x2800] = "not ready to ready change, medium may have changed",
        [0x2801] = "import or export element accessed",
        [0x2803] = "import/export element accessed, medium changed",
        [0x2900] = "power on, reset, or bus device reset occurred",
        [0x2901] = "power on occurred",
        [0x2902] = "SCSI bus reset occurred",
        [0x2903] = "bus device reset function occurred",
        [0x2904] = "device internal reset",
        [0x2905] = "transceiver mode changed to single-ended",
        [0x2906] = "transceiver mode changed to LVD",
        [0x2907] = "I_T nexus loss occurred",
        [0x2A01] = "mode parameters changed",
        [0x2A03] = "reservations preempted",
        [0x2F00] = "commands cleared by another initiator",
        [0x3000] = "incompatible medium installed",
        [0x3003] = "cleaning cartridge installed",
        [0x3007] = "cleaning failure",
        [0x300A] = "cleaning request rejected",
        [0x300B] = "cleaning tape expired",
        [0x3013] = "cleaning volume expired",
        [0x3900] = "saving parameters not supported",
        [0x3A00] = "medium not present",
        [0x3A02] = "medium not present, tray open",
        [0x3B0D] = "medium destination element full",
        [0x3B0E] = "medium source element empty",
        [0x3B11] = "medium magazine not accessible",
        [0x3B12] = "medium magazine removed",
        [0x3B13] = "medium magazine inserted",
        [0x3B14] = "medium magazine locked",
        [0x3B15] = "medium magazine unlocked",
        [0x3B16] = "mechanical positioning or changer error",
        [0x3B18] = "element disabled",
        [0x3B19] = "element enabled",
        [0x3B1A] = "data transfer device removed",
        [0x3B1B] = "data transfer device inserted",
        [0x3B20] = "element static information changed",
        [0x3E00] = "logical unit has not self-configured yet",
        [0x3E01] = "logical unit failure",
        [0x3E02] = "timeout on logical unit",
        [0x3E03] = "logical unit failed self-test",
        [0x3F00] = "target operating conditions have changed",
        [0x3F01] = "microcode has been changed",
        [0x3F02] = "changed operating definition",
        [0x3F03] = "inquiry data has changed",
        [0x3F0E] = "reported LUNs data has changed",
        [0x4400] = "internal target failure",
        [0x4700] = "SCSI parity error",
        [0x4800] = "initiator detected error message received",
        [0x4900] = "invalid message error",
        [0x4E00] = "overlapped commands attempted",
        [0x5300] = "media load or eject failed",
        [0x5302] = "medium removal prevented",
        [0x5303] = "medium removal prevented by data transfer element",
        [0x5305] = "volume identifier invalid",
        [0x5306] = "volume identifier missing",
        [0x5307] = "duplicate volume identifier",
        [0x5308] = "element status unknown",
        [0x5309] = "data transfer device error, load failed",
        [0x530A] = "data transfer device error, unload failed",
        [0x530B] = "data transfer device error, unload missing",
        [0x530C] = "data transfer device error, eject failed",
        [0x530D] = "data transfer device error, library communication failed",
        [0x5A01] = "operator medium removal request",
        [0x5D00] = "failure prediction threshold exceeded",
        [0x5D01] = "media failure prediction threshold exceeded",
        [0x5DFF] = "failure prediction threshold exceeded (false)",
        [0x8282] = "drive requires cleaning (vendor, IBM)",
        [0x8283] = "bad microcode detected (vendor, IBM)",
    }.ToFrozenDictionary();
    // Stryker restore String

    /// <summary>True when the table has an exact entry for the pair.</summary>
    public static bool IsKnown(byte asc, byte ascq) => Entries.ContainsKey((ushort)((asc << 8) | ascq));

    public static string Describe(byte asc, byte ascq)
    {
        if (Entries.TryGetValue((ushort)((asc << 8) | ascq), out var text)) return text;
        if (asc >= 0x80) return $"vendor specific ASC {asc:X2}h/{ascq:X2}h";
        if (asc == 0x29) return "power on, reset, or bus device reset occurred";
        if (ascq >= 0x80) return $"vendor specific qualifier {ascq:X2}h of ASC {asc:X2}h";
        return $"unknown ASC/ASCQ {asc:X2}h/{ascq:X2}h";
    }
}
