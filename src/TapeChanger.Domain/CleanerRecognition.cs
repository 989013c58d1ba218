using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Domain;

/// <summary>
/// How a cartridge is recognised as a cleaner: by its label prefix, and by medium type 2 ("cleaning", SMC-3 element
/// descriptor byte 9) where the library's medium type can be trusted. The one place the "CLN" default lives: PBS and
/// Quantum label cleaners "CLN..." (docs/reference/library-behaviour.md §19).
/// </summary>
public sealed record CleanerRecognition(string Prefix, bool MediumType2Trusted = true)
{
    /// <summary>The label prefix of cleaning cartridges when neither the configuration nor the profile says otherwise.</summary>
    public const string DefaultPrefix = "CLN";

    public static CleanerRecognition Default { get; } = new(DefaultPrefix);

    /// <summary>
    /// The profile's recognition (its label prefix and medium-type trust), with the prefix the user configured, if
    /// any, taking precedence over the profile's.
    /// </summary>
    public static CleanerRecognition For(HardwareProfile? profile, string? configuredPrefix) => new(
        configuredPrefix ?? profile?.Cleaning.LabelPrefix ?? DefaultPrefix,
        profile?.Cleaning.CleanerMediumType2Trusted ?? true);

    /// <summary>Whether a full element holds a cleaner.</summary>
    public bool IsCleaner(ElementDescriptor d) => d.Full && (
        (MediumType2Trusted && d.MediumType == MediumType.Cleaning)
        || (d.Barcode is { } b && Prefix.Length > 0 && b.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)));
}
