using System.Text.Json.Serialization;

namespace TapeChanger.Virtual;

/// <summary>
/// The persisted, mutable state of one virtual library (what mhVTL keeps in vtllibrary/vtltape memory and
/// library_contents.NN.persist). Read and written by <see cref="VirtualStateCodec"/>; <see cref="VirtualStateJsonContext"/>
/// describes format 1, the tests' reference for it.
/// </summary>
public sealed class LibraryState
{
    /// <summary>The format of the file this state was read from (<see cref="VirtualStateCodec.CurrentFormat"/> for a new one); saving always writes the current format.</summary>
    public int FormatVersion { get; set; } = VirtualStateCodec.CurrentFormat;
    /// <summary>Element layout fingerprint ("MT:1x1 ST:1000x39 ..."); a state that does not match the config is rejected.</summary>
    public string Layout { get; set; } = "";
    public List<ElementState> Elements { get; set; } = [];
    public List<DriveState> Drives { get; set; } = [];
    /// <summary>The CAP (all IE elements) is open to the operator (docs/reference/mhvtl.md §9).</summary>
    public bool ImportExportOpen { get; set; }
    public bool DoorOpen { get; set; }
    /// <summary>PREVENT MEDIUM REMOVAL received (1Eh); locks the IE port against the operator.</summary>
    public bool RemovalPrevented { get; set; }
    public bool Offline { get; set; }
    /// <summary>06/29/00 pending (set on creation and by Reset; docs/reference/mhvtl.md §11).</summary>
    public bool ResetPending { get; set; }
    /// <summary>06/28/00 pending after the door was closed.</summary>
    public bool DoorClosedPending { get; set; }
    public List<int> RemovedMagazines { get; set; } = [];
    public ulong LibraryTapeAlert { get; set; }
    /// <summary>Sense of the last CHECK CONDITION on LUN 0, returned and cleared by REQUEST SENSE.</summary>
    public byte[]? PendingSense { get; set; }
    /// <summary>Injected faults (<see cref="FaultSpec"/>), kept across processes until they run out or are cleared.</summary>
    public List<FaultSpec> Faults { get; set; } = [];
}

public sealed class ElementState
{
    /// <summary>SMC element type code (1 MT, 2 ST, 3 IE, 4 DT).</summary>
    public byte Type { get; set; }
    public ushort Address { get; set; }
    /// <summary>1-based number within its type ("Slot 22").</summary>
    public int Number { get; set; }
    /// <summary>Barcode of the cartridge in the element; null = empty.</summary>
    public string? Barcode { get; set; }
    /// <summary>Home storage slot of the cartridge (SValid source address, later upstream mhVTL); 0 = none.</summary>
    public ushort Home { get; set; }
    /// <summary>IE: ImpExp bit (1 = placed by the operator).</summary>
    public bool ImpExp { get; set; }
    /// <summary>DT: Access bit (cleared after a robot load, set after the host unloads).</summary>
    public bool Access { get; set; } = true;
}

public sealed class DriveState
{
    public int Lun { get; set; }
    /// <summary>TapeAlert flags, bit 0 = flag 1.</summary>
    public ulong TapeAlert { get; set; }
    /// <summary>06/28/00 pending for the next TUR after a robot load of a data cartridge (docs/reference/mhvtl.md §10).</summary>
    public bool LoadAttention { get; set; }
    /// <summary>The host unloaded the cartridge (1Bh); it stays in the drive element until the robot moves it.</summary>
    public bool Unloaded { get; set; }
    /// <summary>Absolute start of the cleaning cycle while a cleaner is loaded.</summary>
    public DateTimeOffset? CleaningStarted { get; set; }
    public byte[]? PendingSense { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LibraryState))]
internal sealed partial class VirtualStateJsonContext : JsonSerializerContext;
