using TapeChanger.Scsi.Cdb;

namespace TapeChanger.Scsi.Tests;

/// <summary>
/// Every CDB builder names its command as the standard does (the name appears in every failure message and trace), and
/// <see cref="OpCode.Name"/> names each operation code the project sends.
/// </summary>
public class CommandNameTests
{
    public static TheoryData<string, string> Names() => new()
    {
        { SmcCommands.ReadElementStatus(ElementType.All, 0, 1, 8).Name, "READ ELEMENT STATUS" },
        { SmcCommands.MoveMedium(0, 1, 2).Name, "MOVE MEDIUM" },
        { SmcCommands.ExchangeMedium(0, 1, 2, 3).Name, "EXCHANGE MEDIUM" },
        { SmcCommands.EjectMagazine().Name, "EJECT (START STOP UNIT)" },
        { SmcCommands.PositionToElement(0, 1).Name, "POSITION TO ELEMENT" },
        { SmcCommands.InitializeElementStatus().Name, "INITIALIZE ELEMENT STATUS" },
        { SmcCommands.InitializeElementStatusWithRange(1, 2).Name, "INITIALIZE ELEMENT STATUS WITH RANGE" },
        { SmcCommands.PreventAllowMediumRemoval(true).Name, "PREVENT MEDIUM REMOVAL" },
        { SmcCommands.PreventAllowMediumRemoval(false).Name, "ALLOW MEDIUM REMOVAL" },
        { SmcCommands.OpenCloseImportExportElement(10, true).Name, "OPEN IMPORT/EXPORT ELEMENT" },
        { SmcCommands.OpenCloseImportExportElement(10, false).Name, "CLOSE IMPORT/EXPORT ELEMENT" },
        { SpcCommands.TestUnitReady().Name, "TEST UNIT READY" },
        { SpcCommands.RequestSense().Name, "REQUEST SENSE" },
        { SpcCommands.Inquiry().Name, "INQUIRY" },
        { SpcCommands.InquiryVpd(0x80).Name, "INQUIRY VPD 80h" },
        { SpcCommands.ModeSense6(0x1D).Name, "MODE SENSE(6) page 1Dh" },
        { SpcCommands.ModeSense10(0x1F).Name, "MODE SENSE(10) page 1Fh" },
        { SpcCommands.LogSense(0x2E).Name, "LOG SENSE page 2Eh" },
        { SpcCommands.ReportLuns().Name, "REPORT LUNS" },
        { SscCommands.LoadUnload(true).Name, "LOAD UNLOAD" },
        { SscCommands.LogSenseTapeAlertResponse().Name, "LOG SENSE page 12h" },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_builder_names_its_command(string name, string expected) => Assert.Equal(expected, name);

    [Theory]
    [InlineData(OpCode.TestUnitReady, "TEST UNIT READY")]
    [InlineData(OpCode.RequestSense, "REQUEST SENSE")]
    [InlineData(OpCode.InitializeElementStatus, "INITIALIZE ELEMENT STATUS")]
    [InlineData(OpCode.Inquiry, "INQUIRY")]
    [InlineData(OpCode.ModeSelect6, "MODE SELECT(6)")]
    [InlineData(OpCode.ModeSense6, "MODE SENSE(6)")]
    [InlineData(OpCode.OpenCloseImportExportElement, "OPEN/CLOSE IMPORT/EXPORT ELEMENT")]
    [InlineData(OpCode.PreventAllowMediumRemoval, "PREVENT ALLOW MEDIUM REMOVAL")]
    [InlineData(OpCode.PositionToElement, "POSITION TO ELEMENT")]
    [InlineData(OpCode.InitializeElementStatusWithRange, "INITIALIZE ELEMENT STATUS WITH RANGE")]
    [InlineData(OpCode.InitializeElementStatusWithRangeLegacy, "INITIALIZE ELEMENT STATUS WITH RANGE")]
    [InlineData(OpCode.LogSelect, "LOG SELECT")]
    [InlineData(OpCode.LogSense, "LOG SENSE")]
    [InlineData(OpCode.ModeSelect10, "MODE SELECT(10)")]
    [InlineData(OpCode.ModeSense10, "MODE SENSE(10)")]
    [InlineData(OpCode.ReportLuns, "REPORT LUNS")]
    [InlineData(OpCode.MaintenanceIn, "MAINTENANCE IN")]
    [InlineData(OpCode.MoveMedium, "MOVE MEDIUM")]
    [InlineData(OpCode.ExchangeMedium, "EXCHANGE MEDIUM")]
    [InlineData(OpCode.ReadElementStatus, "READ ELEMENT STATUS")]
    [InlineData(0xC1, "opcode C1h")]
    public void Each_opcode_has_its_name(byte op, string expected) => Assert.Equal(expected, OpCode.Name(op));

    [Fact]
    public void Out_of_range_arguments_say_why()
    {
        Assert.StartsWith("REPORT LUNS needs at least 16 bytes", Assert.Throws<ArgumentOutOfRangeException>(() => SpcCommands.ReportLuns(15)).Message);
        Assert.StartsWith("CDB must be 6 to 16 bytes", Assert.Throws<ArgumentOutOfRangeException>(() => new ScsiCommand("X", new byte[5], DataDirection.None, 0, TimeSpan.Zero)).Message);
        Assert.Equal("type", Assert.Throws<ArgumentOutOfRangeException>(() => SmcCommands.ReadElementStatus((ElementType)0x10, 0, 1, 8)).ParamName);
        Assert.Equal(0x0F, SmcCommands.ReadElementStatus((ElementType)0x0F, 0, 1, 8).Cdb[1] & 0x0F);
    }
}
