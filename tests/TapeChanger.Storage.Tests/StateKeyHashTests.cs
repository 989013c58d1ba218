using System.Security.Cryptography;
using System.Text;
using TapeChanger.Storage;

namespace TapeChanger.Storage.Tests;

public class StateKeyHashTests
{
    [Theory]
    // FIPS 180-4 examples (NIST CSRC "Example Algorithms", SHA-256): one block, two blocks, and the empty message.
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public void Known_answers(string message, string hex) =>
        Assert.Equal(hex, Convert.ToHexStringLower(StateKeyHash.HashData(Encoding.ASCII.GetBytes(message))));

    [Fact]
    public void Same_as_the_platform_sha256_for_every_length_across_the_padding_boundaries()
    {
        // Lengths 0..300 cover one, two and more blocks and every position of the 1 bit and the length field;
        // the state names already on users' disks were made by the platform's SHA-256.
        var random = new Random(20261205);
        for (int length = 0; length <= 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(SHA256.HashData(data), StateKeyHash.HashData(data));
        }
    }

    [Fact]
    public void A_short_destination_is_refused() =>
        Assert.Throws<ArgumentException>(() => StateKeyHash.HashData([1, 2, 3], new byte[31]));
}
