namespace TapeChanger.Cleaning.Tests;

/// <summary>Every RSM result the cleaner functions return has its own sentence; a code outside the list shows its number.</summary>
public class NtmsResultTextTests
{
    [Fact]
    public void Every_result_has_its_own_sentence_not_its_name()
    {
        var results = Enum.GetValues<NtmsResult>();
        var texts = results.Select(NtmsResultText.Describe).ToList();
        Assert.All(results.Zip(texts), p =>
        {
            Assert.False(string.IsNullOrWhiteSpace(p.Second), $"{p.First} has no text");
            Assert.NotEqual(p.First.ToString(), p.Second);
        });
        // No two results share a sentence: an operator reading one can tell which code it was.
        var shared = texts.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(shared);
    }

    [Theory]
    [InlineData(NtmsResult.ERROR_SUCCESS, "the operation completed successfully")]
    [InlineData(NtmsResult.ERROR_IO_PENDING, "the operation has not ended yet")]
    [InlineData(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT, "the cleaner cartridge has no cleanings left")]
    [InlineData(NtmsResult.ERROR_NO_SLOT_SET, "this library has no slot reserved as a cleaner slot")]
    [InlineData(NtmsResult.ERROR_SLOT_EMPTY, "the reserved cleaner slot is empty")]
    public void A_result_reads_as_the_rsm_pages_describe_it(NtmsResult result, string text)
    {
        Assert.Equal(text, NtmsResultText.Describe(result));
    }

    [Fact]
    public void A_code_outside_the_list_shows_its_number()
    {
        Assert.Equal("12345", NtmsResultText.Describe((NtmsResult)12345));
    }
}
