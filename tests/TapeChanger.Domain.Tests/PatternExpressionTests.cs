using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// A profile pattern that is not plain is matched by <see cref="PatternExpression"/>, which answers as .NET's
/// <c>Regex.IsMatch</c> with <c>IgnoreCase | CultureInvariant</c> does (the oracle here, its non-backtracking engine) for
/// every pattern of the subset profiles allow, and refuses the rest with what and where.
/// </summary>
public sealed class PatternExpressionTests
{
    // .NET's non-backtracking engine: the same answers as its backtracking one for this subset, without its blow-up on
    // nested empty loops (the backtracking interpreter overflows on "(()*?)?(?: {2}){1,}|" against "ab").
    private static bool Oracle(string pattern, string value) =>
        Regex.IsMatch(value, pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    /// <summary>Generated cases: 3,000 by default (about a second), TAPECHANGER_FUZZ_CASES overrides it (mutation runs: fewer).</summary>
    private static int Cases =>
        int.TryParse(Environment.GetEnvironmentVariable("TAPECHANGER_FUZZ_CASES"), out int n) && n > 0 ? n : 3000;

    private static void Same(string pattern, string value) =>
        Assert.True(Oracle(pattern, value) == PatternExpression.Parse(pattern).IsMatch(value), $"/{pattern}/ against '{value}': Regex says {Oracle(pattern, value)}");

    [Theory]
    // The shipped profiles' patterns that are not plain, against the INQUIRY strings they are for and others.
    [InlineData("^(Scalar ?i[0-9]+.*|ML6[0-9]*.*)$", "Scalar i40")]
    [InlineData("^(Scalar ?i[0-9]+.*|ML6[0-9]*.*)$", "scalari6000")]
    [InlineData("^(Scalar ?i[0-9]+.*|ML6[0-9]*.*)$", "ML6000")]
    [InlineData("^(Scalar ?i[0-9]+.*|ML6[0-9]*.*)$", "Scalar 24")]
    [InlineData("^(Scalar ?i[0-9]+.*|ML6[0-9]*.*)$", "ML")]
    // Each construct of the subset.
    [InlineData("a.c", "xxabcxx")]
    [InlineData("a.c", "a\nc")]
    [InlineData("^abc$", "abc\n")]
    [InlineData("^abc$", "abc\n\n")]
    [InlineData("^$", "")]
    [InlineData("", "anything")]
    [InlineData("[^a-c]", "ABC")]
    [InlineData("[^a-c]", "ABCd")]
    [InlineData("[A-Z]+[0-9]{2,3}$", "lto12")]
    [InlineData("[A-Z]+[0-9]{2,3}$", "LTO1")]
    [InlineData("x{2}", "x")]
    [InlineData("x{2,}", "xxxx")]
    [InlineData("^x{0}$", "")]
    [InlineData("^(a?){3}$", "")]
    [InlineData("^(a?){3}$", "aaaa")]
    [InlineData("^(a|ab)(c|bcd)(d*)$", "abcd")]
    [InlineData("^(?:ab)+$", "ABab")]
    [InlineData("\\d\\d\\s\\w", "12 x")]
    [InlineData("\\D\\W\\S", "a-b")]
    [InlineData("[\\d-]+$", "12-3")]
    [InlineData("[]a]", "]")]
    [InlineData("[^]a]", "]")]
    [InlineData("[a-]", "-")]
    [InlineData("a{,2}", "a{,2}")]
    [InlineData("a{x}", "a{x}")]
    [InlineData("}]", "}]")]
    [InlineData("\\.\\*\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\", ".*?()[]{}|^$\\")]
    [InlineData("a*?b", "aaab")]
    [InlineData("a+?$", "aa")]
    [InlineData("(^a|b$)", "xb")]
    [InlineData("(a*)*b", "aaaaaaaaaaaaaaac")]
    [InlineData("\\t", "\t")]
    // Boundaries of the parser and the compiler (mutation testing found each).
    [InlineData("^x{0}$", "x")]
    [InlineData("^x{0,0}y$", "y")]
    [InlineData("a*x1}", "ax1}")]
    [InlineData("a{2", "a{2")]
    [InlineData("a{2,", "a{2,")]
    [InlineData("a{", "a{")]
    [InlineData("a{2x", "a{2x")]
    [InlineData("^a{}$", "a{}")]
    [InlineData("[^a]", "^")]
    [InlineData("[\\.][\\d]", "..")]
    [InlineData("[a[]", "[")]
    [InlineData("[a.]", ".")]
    [InlineData("[a-a]", "A")]
    [InlineData("\\w", "\u0301")]
    [InlineData("\\w", "\u0903")]
    [InlineData("\\w", "\u203F")]
    [InlineData("\\w", "\u00A0")]
    [InlineData("^[A-Z]$", "q")]
    [InlineData("(()*?)?(?: {2}){1,}|", "")]
    [InlineData("(()*?)?(?: {2}){1,}|", "ab")]
    [InlineData("(?:)(?:()*?){0,2}[\\d-]{1,}\\w??|(?:)+(?:)((?:))", "ab")]
    [InlineData("(?:(?:b{1,}.?)+)*(?:(){2}()*()*?(?:\\w)*?)*?b+^|((?:)|)+\\s*", "ab")]
    public void Answers_as_the_regular_expression_does(string pattern, string value) => Same(pattern, value);

    [Fact]
    public void Generated_patterns_answer_as_the_regular_expression_does()
    {
        // Patterns of the subset over a small alphabet, against strings of that alphabet (cases mixed).
        var literal = Gen.Elements("a", "b", "B", "1", " ", "-", "\\.", ".");
        Gen<string> Atom(int depth) => depth <= 0
            ? Gen.OneOf(literal, Gen.Elements("[ab]", "[^a]", "[a-c]", "[0-9]", "\\d", "\\w", "\\s", "\\W", "[\\d-]", "^", "$"))
            : Gen.OneOf(
                Atom(0),
                Gen.ListOf(Sequence(depth - 1)).Select(l => "(" + string.Join("|", l.Take(3)) + ")"),
                Sequence(depth - 1).Select(s => "(?:" + s + ")"));
        Gen<string> Quantified(int depth) => Gen.Zip(Atom(depth), Gen.Elements("", "", "", "?", "*", "+", "{2}", "{0,2}", "{1,}", "??", "*?"))
            .Select(p => p.Item1 + p.Item2);
        Gen<string> Sequence(int depth) => Gen.ListOf(Quantified(depth)).Select(l => string.Concat(l.Take(4)));
        var patterns = Gen.ListOf(Sequence(2)).Select(l => string.Join("|", l.Take(2)));
        var values = Gen.ListOf(Gen.Elements('a', 'A', 'b', '1', '2', ' ', '-', '.', 'c')).Select(l => new string([.. l.Take(8)]));
        Prop.ForAll(patterns.ToArbitrary(), values.ToArbitrary(), (pattern, value) =>
            Oracle(pattern, value) == PatternExpression.Parse(pattern).IsMatch(value)).Check(Config.QuickThrowOnFailure.WithMaxTest(Cases));
    }

    [Theory]
    [InlineData("(?=a)", "'(?' (lookarounds, named groups, inline options) at position 2")]
    [InlineData("(?i)abc", "'(?' (lookarounds, named groups, inline options) at position 2")]
    [InlineData("(a)\\1", "'\\1' at position 4")]
    [InlineData("\\bLTO", "'\\b' at position 1")]
    [InlineData("\\p{L}", "'\\p' at position 1")]
    [InlineData("[\\b]", "'\\b' in a class at position 2")]
    [InlineData("[a-z-[aeiou]]", "'-[' (class subtraction) at position 5")]
    [InlineData("[[:alpha:]]", "'[:' (POSIX classes) at position 2")]
    [InlineData("(ab", "'(' without its ')' at position 4")]
    [InlineData("ab)", "')' without its '(' at position 3")]
    [InlineData("[ab", "'[' without its ']' at position 4")]
    [InlineData("*a", "'*' with nothing to repeat at position 1")]
    [InlineData("{2}", "'{' with nothing to repeat at position 1")]
    [InlineData("a**", "'*' after a quantifier at position 3")]
    [InlineData("a{2}{3}", "'{' after a quantifier at position 5")]
    [InlineData("a{3,2}", "{3,2}: the range is backwards at position 2")]
    [InlineData("[z-a]", "[z-a]: the range is backwards at position 5")]
    [InlineData("a{1001}", "a repetition count over 1000 at position 2")]
    [InlineData("abc\\", "'\\' at the end at position 5")]
    [InlineData("(?", "'(?' (lookarounds, named groups, inline options) at position 2")]
    [InlineData("a{3,0}", "{3,0}: the range is backwards at position 2")]
    [InlineData("[-", "'[' without its ']' at position 3")]
    [InlineData("[[", "'[' without its ']' at position 3")]
    [InlineData("[a-", "'[' without its ']' at position 4")]
    [InlineData("[a-[b]]", "'-[' (class subtraction) at position 4")]
    [InlineData("[a-\\d]", "a range ending in a class at position 6")]
    public void What_the_subset_leaves_out_is_refused_with_what_and_where(string pattern, string start)
    {
        var e = Assert.Throws<FormatException>(() => PatternExpression.Parse(pattern));
        Assert.StartsWith(start + "; profile patterns allow literals", e.Message);
    }

    [Fact]
    public void Nested_repetition_answers_at_once()
    {
        // A backtracking matcher tries each way of splitting the a's between the loops (2^40 here); this one follows
        // them all together, one character at a time.
        string value = new('a', 40);
        Assert.False(PatternExpression.Parse("^(a|a?)+b$").IsMatch(value));
        Assert.True(PatternExpression.Parse("^((a*)*|b)+$").IsMatch(value));
        Assert.False(PatternExpression.Parse("^(a*)*(a*)*c").IsMatch(value + value));
    }

    [Fact]
    public void A_pattern_whose_repetitions_are_too_large_is_refused()
    {
        // Exactly at the limit: 20,000 a's and the b; one more step is refused.
        Assert.True(PatternExpression.Parse("(a{1000}){20}b").IsMatch(new string('a', 20_000) + "b"));
        Assert.Throws<FormatException>(() => PatternExpression.Parse("(a{1000}){20}bc"));
        var e = Assert.Throws<FormatException>(() => PatternExpression.Parse("(ab{1000}){1000}"));
        Assert.Equal($"/(ab{{1000}}){{1000}}/ is too large to match: its repetitions make more than {PatternExpression.MaxProgram} steps", e.Message);
        Assert.True(PatternExpression.Parse("^(ab{1000}){9}$").IsMatch(string.Concat(Enumerable.Repeat("a" + new string('b', 1000), 9))));
    }

    [Theory]
    [InlineData("^HP$", "HP", true)]
    [InlineData("^HP$", "hp", true)]
    [InlineData("^(Scalar ?i[0-9]+.*|ML6[0-9]*.*)$", "Scalar i500", true)]
    [InlineData("^(Scalar ?i[0-9]+.*|ML6[0-9]*.*)$", "Scalar 24", false)]
    [InlineData("^(Scalar ?i[0-9]+.*|ML6[0-9]*.*)$", "  ML6000  ", true)]   // trimmed first
    public void Profile_patterns_that_are_not_plain_are_matched_by_the_expression(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, ProfilePattern.IsMatch(value, pattern));
        Assert.Equal(Oracle(pattern, value.Trim()), ProfilePattern.IsMatch(value, pattern));
    }
}
