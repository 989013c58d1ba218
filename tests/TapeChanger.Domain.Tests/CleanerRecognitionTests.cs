using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Domain.Tests;

/// <summary>The profile's cleaning.labelPrefix and cleaning.cleanerMediumType2Trusted decide what is a cleaner.</summary>
public class CleanerRecognitionTests
{
    private static readonly ElementMap Map = ElementMap.From(new ElementAddressAssignment(1, 1, 1000, 39, 10, 4, 500, 4));

    private static HardwareProfile Profile(string name) => HardwareProfiles.All.Single(p => p.Name == name);

    private static ElementDescriptor Slot(string? barcode, MediumType type) => new(
        ElementType.Storage, 1000, ElementFlags.Full | ElementFlags.Access, 0, 0, null, type, false, false,
        barcode is null ? null : new VolumeTag(barcode, 0), null, null, null, null, false);

    [Fact]
    public void Quantum_scalar_does_not_trust_medium_type_2_so_an_unlabelled_type_2_cartridge_is_data()
    {
        var scalar = CleanerRecognition.For(Profile("quantum-scalar"), configuredPrefix: null);
        Assert.False(scalar.MediumType2Trusted);
        Assert.False(Element.From(Slot("A00001L6", MediumType.Cleaning), Map, scalar).IsCleaner);
        Assert.True(Element.From(Slot("CLN001L6", MediumType.Data), Map, scalar).IsCleaner);

        // The same descriptor on a library that follows SMC-3 is a cleaner.
        var generic = CleanerRecognition.For(Profile("generic-smc"), configuredPrefix: null);
        Assert.True(Element.From(Slot("A00001L6", MediumType.Cleaning), Map, generic).IsCleaner);
        Assert.True(Element.From(Slot(null, MediumType.Cleaning), Map, generic).IsCleaner);
    }

    [Fact]
    public void The_profiles_label_prefix_is_used_unless_the_user_configured_one()
    {
        var profile = Profile("generic-smc");
        var custom = new HardwareProfile { Name = "x", Cleaning = new CleaningProfile { LabelPrefix = "CLX" } };
        Assert.True(Element.From(Slot("CLX001L6", MediumType.Data), Map, CleanerRecognition.For(custom, null)).IsCleaner);
        Assert.False(Element.From(Slot("CLN001L6", MediumType.Data), Map, CleanerRecognition.For(custom, null)).IsCleaner);
        Assert.True(Element.From(Slot("CLN001L6", MediumType.Data), Map, CleanerRecognition.For(custom, "CLN")).IsCleaner);
        Assert.Equal(CleanerRecognition.DefaultPrefix, CleanerRecognition.For(profile, null).Prefix);
        Assert.Equal(CleanerRecognition.DefaultPrefix, CleanerRecognition.For(null, null).Prefix);
        Assert.Equal("CLN", CleanerRecognition.DefaultPrefix);
    }

    [Fact]
    public void An_empty_element_is_never_a_cleaner()
    {
        var d = Slot("CLN001L6", MediumType.Cleaning) with { Flags = ElementFlags.Access };
        Assert.False(Element.From(d, Map, CleanerRecognition.Default).IsCleaner);
    }
}
