namespace TapeChanger.Domain;

/// <summary>
/// A profile's match patterns against INQUIRY fields: case-insensitive regular expressions on the trimmed value. Most
/// shipped patterns are plain: <c>.*</c>, or <c>^A$</c> / <c>^(A|B|C)$</c> whose alternatives are letters, digits,
/// spaces and '-', where a letter or digit may be followed by '?'. Those are compared directly, which gives the same
/// answer as the expression (a test holds the two together); anything else goes to <see cref="PatternExpression"/>.
/// </summary>
internal static class ProfilePattern
{
    public static bool Matches(ProfileMatch match, string vendor, string product, string? revision) =>
        IsMatch(vendor, match.Vendor) && IsMatch(product, match.Product)
        && (match.Revision is null || IsMatch(revision ?? "", match.Revision));

    public static bool IsMatch(string value, string pattern)
    {
        value = value.Trim();
        if (pattern == ".*") return true;
        if (Alternatives(pattern) is { } alternatives && System.Text.Ascii.IsValid(value))
        {
            foreach (var a in alternatives.Split('|'))
            {
                if (MatchPlain(value, a, 0, 0)) return true;
            }
            return false;
        }
        return PatternExpression.Parse(pattern).IsMatch(value);
    }

    /// <summary>True when <paramref name="pattern"/> is one the direct comparison handles.</summary>
    public static bool IsPlain(string pattern) => pattern == ".*" || Alternatives(pattern) is not null;

    /// <summary>"A|B|C" for ^A$ or ^(A|B|C)$ with plain alternatives; null for anything else.</summary>
    private static string? Alternatives(string pattern)
    {
        if (pattern.Length < 2 || pattern[0] != '^' || pattern[^1] != '$') return null;
        string body = pattern[1..^1];
        if (body.Length >= 2 && body[0] == '(' && body[^1] == ')') body = body[1..^1];
        if (body.Length == 0) return null;
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            bool plain = char.IsAsciiLetterOrDigit(c) || c is ' ' or '-' or '|';
            bool optional = c == '?' && i > 0 && char.IsAsciiLetterOrDigit(body[i - 1]);
            if (!plain && !optional) return null;
        }
        foreach (var a in body.Split('|'))
        {
            if (a.Length == 0) return null;
        }
        return body;
    }

    /// <summary>Whole-value, ASCII case-insensitive match of one alternative, where "x?" makes x optional.</summary>
    private static bool MatchPlain(string value, string alt, int vi, int ai)
    {
        while (ai < alt.Length)
        {
            char c = alt[ai];
            bool optional = ai + 1 < alt.Length && alt[ai + 1] == '?';
            if (optional)
            {
                if (vi < value.Length && char.ToUpperInvariant(value[vi]) == char.ToUpperInvariant(c) && MatchPlain(value, alt, vi + 1, ai + 2)) return true;
                ai += 2;
                continue;
            }
            if (vi >= value.Length || char.ToUpperInvariant(value[vi]) != char.ToUpperInvariant(c)) return false;
            vi++;
            ai++;
        }
        return vi == value.Length;
    }
}
