using TapeChanger.Scsi;
using TapeChanger.Testing;

namespace TapeChanger.Transport.Tests;

/// <summary>The one probe every drive locator uses: INQUIRY (qualifier and device type), then VPD 80h for a drive.</summary>
public class ProbeTapeDriveTests
{
    /// <summary>A device answering standard INQUIRY with byte 0 = <paramref name="byte0"/> and VPD 80h with <paramref name="serial"/> (or 05/24/00).</summary>
    private static ScriptedTransport Device(byte byte0, string? serial, bool refuseInquiry = false) => new()
    {
        Answer = (c, dataIn) =>
        {
            if (c.Cdb[0] != 0x12) return SenseBuilder.Check(0x05, 0x20, 0x00);
            if (refuseInquiry) return SenseBuilder.Check(0x05, 0x24, 0x00);
            var span = dataIn.Span;
            span.Clear();
            if ((c.Cdb[1] & 0x01) == 0)
            {
                // Standard INQUIRY (SPC-4 §6.6.2): byte 0 qualifier/type, byte 4 additional length, 8-35 identification.
                span[0] = byte0;
                span[2] = 0x05;
                span[4] = 31;
                "IBM     ULT3580-TD8     0108"u8.CopyTo(span[8..]);
                return ScsiResult.Good(36);
            }
            if (serial is null) return SenseBuilder.Check(0x05, 0x24, 0x00);
            // VPD 80h (SPC-4 §7.8.15): byte 1 page code, byte 3 page length, then the serial.
            span[0] = byte0;
            span[1] = 0x80;
            span[3] = (byte)serial.Length;
            System.Text.Encoding.ASCII.GetBytes(serial).CopyTo(span[4..]);
            return ScsiResult.Good(4 + serial.Length);
        },
    };

    [Theory]
    [InlineData((byte)0x01, "SER001", true, "SER001")]   // qualifier 0, sequential access: a drive, with its serial
    [InlineData((byte)0x01, null, true, null)]           // a drive without VPD 80h
    [InlineData((byte)0x21, "SER001", false, null)]      // qualifier 1: supported but not connected
    [InlineData((byte)0x00, "SER001", false, null)]      // a disk
    [InlineData((byte)0x08, "SER001", false, null)]      // a changer
    public async Task A_connected_sequential_access_device_is_a_drive_with_its_serial(byte byte0, string? serial, bool isDrive, string? expectedSerial)
    {
        var device = Device(byte0, serial);
        await using var client = new SmcClient(device);

        Assert.Equal((isDrive, expectedSerial), await client.ProbeTapeDriveAsync());
        // A device that is no drive is not asked for its serial.
        Assert.Equal(isDrive ? 2 : 1, device.Sent.Count);
    }

    [Fact]
    public async Task A_device_that_refuses_inquiry_is_no_drive()
    {
        var device = Device(0x01, "SER001", refuseInquiry: true);
        await using var client = new SmcClient(device);

        Assert.Equal((false, (string?)null), await client.ProbeTapeDriveAsync());
        Assert.Single(device.Sent);
    }
}
