using System.Text.RegularExpressions;
using TapeChanger.Cli.Help;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// Two small text jobs the CLI does by hand instead of with a regular expression (so its image carries no regular
/// expression engine), each held to the expression it replaces.
/// </summary>
public sealed class RegexFreeTextTests
{
    private static string Oracle(string m) =>
        Regex.Replace(m, @"as expected type '(?:System\.Nullable`1\[)?([A-Za-z0-9.]+)\]?'", t => t.Groups[1].Value switch
        {
            "System.Int32" => "as a whole number",
            "System.UInt16" => "as a number from 0 to 65535",
            "System.UInt32" => "as a number from 0 to 4294967295",
            "System.Guid" => "as an operation id (a GUID)",
            _ => t.Value,
        });

    [Theory]
    [InlineData("Cannot parse argument 'x' for option '--slot' as expected type 'System.Int32'.")]
    [InlineData("Cannot parse argument 'x' for option '--wait' as expected type 'System.Nullable`1[System.UInt32]'.")]
    [InlineData("as expected type 'System.UInt16' and as expected type 'System.Guid'")]
    [InlineData("as expected type 'System.String'")]
    [InlineData("as expected type 'System.Nullable`1[System.Int32'")]
    [InlineData("as expected type 'System.Nullable`1[System.Int32]]'")]
    [InlineData("as expected type ''")]
    [InlineData("as expected type 'System.Int32")]
    [InlineData("as expected type 'System.Int32]]'")]
    [InlineData("as expected type 'as expected type 'System.Int32'")]
    [InlineData("as expected type 'System.Nullable`1[as expected type 'System.Guid'")]
    [InlineData("no type here")]
    [InlineData("")]
    public void Type_names_in_parse_errors_become_words_as_the_expression_made_them(string message) =>
        Assert.Equal(Oracle(message), TapeChangerCli.FriendlyTypeNames(message));

    [Theory]
    [InlineData("  130  cancelled")]
    [InlineData("130 cancelled")]
    [InlineData("   text without a number")]
    [InlineData("  12")]
    [InlineData("  12x  y")]
    [InlineData("\t 7\t y")]
    [InlineData("")]
    [InlineData("word")]
    [InlineData("  ٣  arabic-indic digit")]
    public void The_hanging_indent_is_what_the_expression_matched(string line) =>
        Assert.Equal(Regex.Match(line, @"^\s*(\d+\s+)?").Length, HelpText.HangingIndent(line));
}
