using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Scsi.Tests;

public class AsciiTextTests
{
    [Theory]
    [InlineData(new byte[] { 0x20, 0x41, 0x42, 0x20, 0x00 }, "AB")]            // space and NUL padding on both sides
    [InlineData(new byte[] { 0x00, 0x00, 0x20 }, "")]                          // all padding
    [InlineData(new byte[] { 0x41, 0x07, 0x42, 0xC3 }, "A?B?")]                // control and non-ASCII bytes become '?'
    [InlineData(new byte[] { 0x41, 0x20, 0x42 }, "A B")]                       // inner spaces stay
    public void Trim_decodes_printable_ascii_and_strips_padding(byte[] bytes, string expected) =>
        Assert.Equal(expected, AsciiText.Trim(bytes));

    [Fact]
    public void Trim_handles_fields_longer_than_the_stack_buffer()
    {
        // Identifiers can be up to 255 bytes plus padding; anything past 256 characters takes the heap path.
        byte[] bytes = Enumerable.Range(0, 300).Select(i => (byte)('A' + i % 26)).Append((byte)0x20).ToArray();
        string text = AsciiText.Trim(bytes);
        Assert.Equal(300, text.Length);
        Assert.Equal('A', text[0]);
        Assert.Equal((char)('A' + 299 % 26), text[^1]);
    }
}
