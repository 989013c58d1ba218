using System.Globalization;

namespace TapeChanger.Domain;

/// <summary>What a node of a parsed pattern is.</summary>
internal enum PatternNodeKind
{
    Literal,
    AnyButNewLine,
    Class,
    Start,
    End,
    Group,
    Sequence,
}

/// <summary>One element of the expression. A sequence and a group hold their parts in <see cref="Parts"/>.</summary>
internal sealed class PatternNode
{
    public PatternNodeKind Kind;
    public char Char;                   // Literal
    public PatternClass? Set;           // Class
    public PatternNode[] Parts = [];    // Group: alternatives (each a Sequence); Sequence: items
    public int Min = 1, Max = 1;        // repetition of this node (Max -1: unbounded)
}

/// <summary>A character class: ranges and named classes, possibly negated.</summary>
internal sealed class PatternClass
{
    public bool Negated;
    public readonly List<(char First, char Last)> Ranges = [];
    public readonly List<(char Name, bool Negated)> Named = [];   // d, w, s

    public bool Contains(char c) => Negated != (HasCase(c) || HasCase(char.ToUpperInvariant(c)) || HasCase(char.ToLowerInvariant(c)));

    private bool HasCase(char c)
    {
        foreach (var (first, last) in Ranges)
        {
            if (c >= first && c <= last) return true;
        }
        foreach (var (name, negated) in Named)
        {
            if (IsNamed(name, c) != negated) return true;
        }
        return false;
    }

    /// <summary>
    /// \d, \w, \s as .NET's regular expressions define them: \p{Nd}; [\p{L}\p{Mn}\p{Nd}\p{Pc}] (no spacing marks);
    /// [\f\n\r\t\v\x85\p{Z}].
    /// </summary>
    internal static bool IsNamed(char name, char c) => name switch
    {
        'd' => char.IsDigit(c),
        'w' => char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.ConnectorPunctuation,
        's' => char.IsWhiteSpace(c),
        _ => false,
    };
}

/// <summary>
/// A profile pattern parsed by recursive descent, one position at a time, into <see cref="PatternNode"/>s; what the
/// subset leaves out is a <see cref="FormatException"/> naming it and its position (<see cref="PatternExpression"/>).
/// </summary>
internal sealed class PatternParser(string pattern)
{
    public int Position;

    public FormatException Error(string what) => new($"{what} at position {Position + 1}; profile patterns allow literals, ., [classes], \\d \\w \\s, (groups|alternatives), ? * + {{n,m}} and ^ $");

    public PatternNode[] Alternatives()
    {
        var alternatives = new List<PatternNode> { Sequence() };
        while (Position < pattern.Length && pattern[Position] == '|')
        {
            Position++;
            alternatives.Add(Sequence());
        }
        return [.. alternatives];
    }

    private PatternNode Sequence()
    {
        var items = new List<PatternNode>();
        while (Position < pattern.Length && pattern[Position] is not ('|' or ')'))
        {
            var atom = Atom();
            Quantifier(atom);
            items.Add(atom);
        }
        return new PatternNode { Kind = PatternNodeKind.Sequence, Parts = [.. items] };
    }

    private PatternNode Atom()
    {
        char c = pattern[Position];
        switch (c)
        {
            case '(':
                Position++;
                if (Position < pattern.Length && pattern[Position] == '?')
                {
                    if (Position + 1 < pattern.Length && pattern[Position + 1] == ':') Position += 2;
                    else throw Error("'(?' (lookarounds, named groups, inline options)");
                }
                var group = new PatternNode { Kind = PatternNodeKind.Group, Parts = Alternatives() };
                if (Position >= pattern.Length) throw Error("'(' without its ')'");
                Position++;
                return group;
            case '[':
                Position++;
                return new PatternNode { Kind = PatternNodeKind.Class, Set = Class() };
            case '.':
                Position++;
                return new PatternNode { Kind = PatternNodeKind.AnyButNewLine };
            case '^':
                Position++;
                return new PatternNode { Kind = PatternNodeKind.Start };
            case '$':
                Position++;
                return new PatternNode { Kind = PatternNodeKind.End };
            case '\\':
                return Escape(inClass: false) is { } named
                    ? new PatternNode { Kind = PatternNodeKind.Class, Set = Named(named) }
                    : new PatternNode { Kind = PatternNodeKind.Literal, Char = _escaped };
            case '*' or '+' or '?':
                throw Error($"'{c}' with nothing to repeat");
            case '{' when QuantifierAt(Position, out _, out _, out _):
                throw Error("'{' with nothing to repeat");
            default:
                Position++;
                return new PatternNode { Kind = PatternNodeKind.Literal, Char = c };
        }
    }

    private static PatternClass Named((char Name, bool Negated) named)
    {
        var set = new PatternClass();
        set.Named.Add(named);
        return set;
    }

    private void Quantifier(PatternNode atom)
    {
        if (Position >= pattern.Length) return;
        char c = pattern[Position];
        int min, max;
        if (c == '?') (min, max, Position) = (0, 1, Position + 1);
        else if (c == '*') (min, max, Position) = (0, -1, Position + 1);
        else if (c == '+') (min, max, Position) = (1, -1, Position + 1);
        else if (c == '{' && QuantifierAt(Position, out min, out max, out int end)) Position = end;
        else return;
        if (Position < pattern.Length && pattern[Position] == '?') Position++;             // lazy: the same answer
        if (Position < pattern.Length && pattern[Position] is '*' or '+' or '?') throw Error($"'{pattern[Position]}' after a quantifier");
        if (Position < pattern.Length && pattern[Position] == '{' && QuantifierAt(Position, out _, out _, out _)) throw Error("'{' after a quantifier");
        (atom.Min, atom.Max) = (min, max);
    }

    /// <summary>{n}, {n,} or {n,m} at <paramref name="at"/> (otherwise '{' is a literal, as in .NET).</summary>
    private bool QuantifierAt(int at, out int min, out int max, out int end)
    {
        min = max = end = 0;
        int i = at + 1;
        if (!Number(ref i, out min)) return false;
        max = min;
        if (i < pattern.Length && pattern[i] == ',')
        {
            i++;
            max = -1;
            if (i < pattern.Length && char.IsAsciiDigit(pattern[i]) && !Number(ref i, out max)) return false;
        }
        if (i >= pattern.Length || pattern[i] != '}') return false;
        if (max >= 0 && max < min) throw Error($"{{{min},{max}}}: the range is backwards");
        end = i + 1;
        return true;
    }

    private bool Number(ref int i, out int value)
    {
        value = 0;
        int start = i;
        while (i < pattern.Length && char.IsAsciiDigit(pattern[i]))
        {
            value = value * 10 + (pattern[i] - '0');
            if (value > 1000) throw Error("a repetition count over 1000");
            i++;
        }
        return i > start;
    }

    private char _escaped;

    /// <summary>
    /// The escape at the position (its backslash included): a named class (\d \w \s, upper case negated), or null
    /// with the character in <see cref="_escaped"/>.
    /// </summary>
    private (char Name, bool Negated)? Escape(bool inClass)
    {
        Position++;
        if (Position >= pattern.Length) throw Error("'\\' at the end");
        char c = pattern[Position++];
        switch (c)
        {
            case 'd' or 'w' or 's':
                return (c, false);
            case 'D' or 'W' or 'S':
                return (char.ToLowerInvariant(c), true);
            case 't': _escaped = '\t'; return null;
            case 'n': _escaped = '\n'; return null;
            case 'r': _escaped = '\r'; return null;
            case 'f': _escaped = '\f'; return null;
            case 'v': _escaped = '\v'; return null;
            case 'e': _escaped = '\u001B'; return null;
            default:
                if (char.IsAsciiLetterOrDigit(c) || c == '_')
                {
                    Position -= 2;
                    throw Error($"'\\{c}'{(inClass ? " in a class" : "")}");
                }
                _escaped = c;                               // \. \\ \( \- \[ and the like: the character itself
                return null;
        }
    }

    /// <summary>The class after '[' up to its ']'.</summary>
    private PatternClass Class()
    {
        var set = new PatternClass();
        if (Position < pattern.Length && pattern[Position] == '^')
        {
            set.Negated = true;
            Position++;
        }
        bool first = true;
        while (true)
        {
            if (Position >= pattern.Length) throw Error("'[' without its ']'");
            char c = pattern[Position];
            if (c == ']' && !first)
            {
                Position++;
                return set;
            }
            first = false;
            if (c == '-' && Position + 1 < pattern.Length && pattern[Position + 1] == '[') throw Error("'-[' (class subtraction)");
            char low;
            if (c == '\\')
            {
                if (Escape(inClass: true) is { } named)
                {
                    set.Named.Add(named);
                    continue;
                }
                low = _escaped;
            }
            else if (c == '[' && Position + 1 < pattern.Length && pattern[Position + 1] is ':' or '=' or '.')
            {
                throw Error("'[:' (POSIX classes)");
            }
            else
            {
                Position++;
                low = c;
            }
            if (Position + 1 < pattern.Length && pattern[Position] == '-' && pattern[Position + 1] != ']')
            {
                Position++;
                if (pattern[Position] == '[') throw Error("'-[' (class subtraction)");
                char high;
                if (pattern[Position] == '\\')
                {
                    if (Escape(inClass: true) is not null) throw Error("a range ending in a class");
                    high = _escaped;
                }
                else
                {
                    high = pattern[Position++];
                }
                if (high < low) throw Error($"[{low}-{high}]: the range is backwards");
                set.Ranges.Add((low, high));
            }
            else
            {
                set.Ranges.Add((low, low));
            }
        }
    }
}
