using TapeChanger.Transport;

namespace TapeChanger.Domain;

// The quirks mapping: what of a profile the SMC client and the media changer obey.

public sealed partial class HardwareProfile
{
    /// <summary>The knobs the SMC client obeys, from this profile.</summary>
    public ChangerQuirks ToQuirks() => new()
    {
        ReadStrategy = ReadElementStatus.Strategy == ProfileReadStrategy.AllTypes ? ReadElementStatusStrategy.AllTypes : ReadElementStatusStrategy.PerType,
        MaxElementsPerRead = ReadElementStatus.MaxElements,
        MaxAllocation = ReadElementStatus.MaxAllocation,
        DeviceId = ReadElementStatus.DeviceId switch
        {
            ProfileDeviceId.WithoutVolumeTag => DeviceIdSupport.WithoutVolumeTag,
            ProfileDeviceId.Unsupported => DeviceIdSupport.Unsupported,
            _ => DeviceIdSupport.WithVolumeTag,
        },
        CurrentData = ReadElementStatus.CurrentData,
        DefaultTimeout = TimeSpan.FromSeconds(Timeouts.DefaultSeconds),
        MoveTimeout = TimeSpan.FromSeconds(Timeouts.MoveSeconds),
        InitializeTimeout = TimeSpan.FromSeconds(Timeouts.InitializeSeconds),
        BecomingReadyLimit = TimeSpan.FromSeconds(Timeouts.BecomingReadySeconds),
        DefaultAddresses = Elements?.ToAssignment(),
        EjectBeforeUnload = EjectBeforeUnload,
        PreventLocksMailSlot = ImportExport.PreventLocksMailSlot,
        SenseRules = SenseQuirks.Select(q => q.ToRule()).ToList(),
    };
}
