using System.Text;
using System.Text.RegularExpressions;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// Edges of drive pairing, profile patterns, cleaner recognition and sense classification that the broader tests did
/// not pin down: each case here changes the answer when the rule it names is broken.
/// </summary>
public class PairingAndPatternEdgeTests
{
    private static DriveCandidate Bus(string uri, int host, int target, int lun) => new(uri, null) { Bus = new ScsiBusAddress(host, 0, target, lun) };

    [Fact]
    public void An_element_paired_by_serial_keeps_its_drive_in_the_later_passes()
    {
        // The element's identifier text also ends with the other drive's serial; the serial pass already decided.
        var drives = new DriveCandidates([new("a", "AAAA1111"), new("b", "BBBB")]);
        var pairs = DrivePairing.Pair([new(500, "AAAA1111", "IBM ULT3580 BBBB")], drives);
        Assert.Equal(("a", PairingMethod.Serial), (pairs[0].Drive?.Uri, pairs[0].Method));
    }

    [Fact]
    public void A_four_character_serial_is_long_enough_for_an_identifier_suffix_match_and_three_is_not()
    {
        var four = DrivePairing.Pair([new(500, null, "IBM ULT3580 1234")], new DriveCandidates([new("a", "1234")]));
        Assert.Equal(("a", PairingMethod.IdentifierSuffix), (four[0].Drive?.Uri, four[0].Method));
        var three = DrivePairing.Pair([new(500, null, "IBM ULT3580 234")], new DriveCandidates([new("a", "234")]));
        Assert.Equal(PairingMethod.None, three[0].Method);
    }

    [Fact]
    public void Bus_pairing_compares_the_elements_lun_and_takes_lun_0_when_none_is_reported()
    {
        var drives = new DriveCandidates([Bus("lun0", 3, 1, 0), Bus("lun1", 3, 1, 1)], ChangerBus: new ScsiBusAddress(3, 0, 4, 0));
        var withLun = DrivePairing.Pair([new(500, null, null, ScsiId: 1, Lun: 1)], drives);
        Assert.Equal("lun1", withLun[0].Drive?.Uri);
        var withoutLun = DrivePairing.Pair([new(500, null, null, ScsiId: 1)], drives);
        Assert.Equal("lun0", withoutLun[0].Drive?.Uri);
    }

    [Fact]
    public void Pairing_refuses_null_arguments()
    {
        Assert.Throws<ArgumentNullException>(() => DrivePairing.Pair(null!, DriveCandidates.None));
        Assert.Throws<ArgumentNullException>(() => DrivePairing.Pair([], null!));
        Assert.Throws<ArgumentNullException>(() => DriveElementIdentity.From(null!));
    }

    [Fact]
    public void Identifier_text_is_kept_only_for_a_text_identifier()
    {
        static ElementDescriptor Drive(byte codeSet, byte[] value) => new(ElementType.DataTransfer, 500, ElementFlags.Access, 0, 0, null,
            MediumType.Unspecified, false, false, null, null, new DeviceIdentifier(0, codeSet, false, 0, 0, value, false), null, null, false);
        var ascii = DriveElementIdentity.From(Drive(2, Encoding.ASCII.GetBytes("SER123")));
        Assert.Equal(("SER123", "SER123"), (ascii.IdentifierText, ascii.Serial));
        var binary = DriveElementIdentity.From(Drive(1, [0x50, 0x01, 0x02, 0x03]));
        Assert.Equal((null, null), (binary.IdentifierText, binary.Serial));
    }

    [Theory]
    [InlineData("abcdef", "^abc", true)]    // anchored at the start only: a prefix match
    [InlineData("xabc", "abc$", true)]      // anchored at the end only: a suffix match
    [InlineData("1xabc", "xabc$", true)]
    [InlineData("axb", "^a.b$", true)]      // '.' is any character, not a literal dot
    [InlineData("a.b", "^a.b$", true)]
    [InlineData("ab", "^a.b$", false)]
    public void Partly_anchored_and_non_literal_patterns_are_regular_expressions(string value, string pattern, bool expected)
    {
        Assert.Equal(Regex.IsMatch(value, pattern, RegexOptions.IgnoreCase), expected);
        Assert.Equal(expected, ProfilePattern.IsMatch(value, pattern));
        Assert.False(ProfilePattern.IsPlain(pattern));
    }

    [Fact]
    public void A_malformed_pattern_is_reported_as_a_pattern_error() =>
        Assert.StartsWith("'(?' (lookarounds, named groups, inline options) at position 3;",
            Assert.Throws<FormatException>(() => ProfilePattern.IsMatch("A", "^(?A|B)$")).Message);

    [Fact]
    public void A_missing_revision_is_matched_as_an_empty_revision()
    {
        var match = new ProfileMatch { Vendor = "^HP$", Product = ".*", Revision = "^[A-Z]*$" };
        Assert.True(ProfilePattern.Matches(match, "HP", "MSL3040", null));
        Assert.False(ProfilePattern.Matches(new ProfileMatch { Vendor = "^HP$", Revision = "^[A-Z]+$" }, "HP", "MSL3040", null));
    }

    private static ElementDescriptor Slot(string? barcode, MediumType type) => new(
        ElementType.Storage, 1000, ElementFlags.Full | ElementFlags.Access, 0, 0, null, type, false, false,
        barcode is null ? null : new VolumeTag(barcode, 0), null, null, null, null, false);

    [Fact]
    public void An_empty_label_prefix_recognises_no_labelled_cleaner()
    {
        var byTypeOnly = new CleanerRecognition("", MediumType2Trusted: false);
        Assert.False(byTypeOnly.IsCleaner(Slot("A00001L6", MediumType.Data)));
        Assert.False(byTypeOnly.IsCleaner(Slot("CLN001L6", MediumType.Cleaning)));
    }

    [Fact]
    public void Without_a_profile_medium_type_2_is_trusted()
    {
        var none = CleanerRecognition.For(null, null);
        Assert.True(none.MediumType2Trusted);
        Assert.True(none.IsCleaner(Slot("A00001L6", MediumType.Cleaning)));
    }

    [Fact]
    public void The_rule_the_client_attached_decides_over_the_built_in_table()
    {
        var e = new ScsiCheckConditionException("MOVE MEDIUM", SenseDecoder.Decode(Fixed(0x05, 0x3B, 0x0E)));
        Assert.Equal(ChangerError.SourceEmpty, SenseClassifier.Classify(e, "move").Error);
        var profileRow = new SenseRule(SenseKey.IllegalRequest, 0x3B, 0x0E, SenseAction.Fail, SenseFailure.OperatorIntervention, "the profile's meaning", "test");
        e.WithRule(profileRow);
        Assert.Same(profileRow, SenseClassifier.RuleOf(e));
        var classified = SenseClassifier.Classify(e, "move");
        Assert.Equal(ChangerError.OperatorIntervention, classified.Error);
        Assert.StartsWith("move failed: the profile's meaning [", classified.Message);
    }

    [Fact]
    public void Classification_refuses_null_arguments()
    {
        Assert.Throws<ArgumentNullException>(() => SenseClassifier.Classify((ScsiCheckConditionException)null!, "move"));
        Assert.Throws<ArgumentNullException>(() => SenseClassifier.RuleOf(null!));
        Assert.Throws<ArgumentNullException>(() => SenseClassifier.Classify((SenseRule)null!));
    }
}
