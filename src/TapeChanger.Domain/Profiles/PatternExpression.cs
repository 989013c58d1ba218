using System.Globalization;

namespace TapeChanger.Domain;

/// <summary>
/// A profile's match pattern that is not plain (<see cref="ProfilePattern"/>): a regular expression in the subset
/// profiles allow, matched case-insensitively anywhere in the value as .NET's <c>Regex.IsMatch</c> with
/// <c>IgnoreCase | CultureInvariant</c> would (a property test holds the two together on ASCII text). Literal
/// characters and escapes (<c>\.</c>, <c>\t</c>), <c>.</c>, classes (<c>[A-Z0-9]</c>, <c>[^-]</c>, <c>\d \w \s</c> and their
/// negations), groups with alternatives (<c>(a|b)</c>, <c>(?:a|b)</c>), the quantifiers <c>? * + {n} {n,} {n,m}</c>
/// (lazy or not: the answer is the same) and the anchors <c>^ $</c>. Anything else (lookarounds, back-references,
/// inline options, <c>\b</c>, Unicode categories, class subtraction) is refused by <see cref="Parse"/> with what and
/// where. The pattern is compiled to a Thompson automaton and every path through it is followed at once, so no pattern
/// takes more than the value's length times its size. The profile reader, and so the CLI's start-up, then need no
/// regular-expression engine in the image (docs/performance.md).
/// </summary>
internal sealed class PatternExpression
{
    /// <summary>The most instructions a pattern may compile to (repetition counts multiply their group's).</summary>
    internal const int MaxProgram = 20_000;

    private readonly Instruction[] _program;

    private PatternExpression(Instruction[] program) => _program = program;

    private enum NodeKind
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
    private sealed class Node
    {
        public NodeKind Kind;
        public char Char;                            // Literal
        public ClassSet? Set;                        // Class
        public Node[] Parts = [];                    // Group: alternatives (each a Sequence); Sequence: items
        public int Min = 1, Max = 1;                 // repetition of this node (Max -1: unbounded)
    }

    /// <summary>A character class: ranges and named classes, possibly negated.</summary>
    private sealed class ClassSet
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
    }

    /// <summary>What one step of the matcher does (a Thompson construction: no backtracking, so no blow-up).</summary>
    private enum Op : byte
    {
        /// <summary>The character, either case.</summary>
        Char,
        AnyButNewLine,
        Class,
        /// <summary>^: only at the value's start.</summary>
        Start,
        /// <summary>$: at the end, or just before a final new line (.NET without Multiline).</summary>
        End,
        /// <summary>Go on at both <c>X</c> and <c>Y</c>.</summary>
        Split,
        Jump,
        Match,
    }

    private readonly record struct Instruction(Op Op, char Char = '\0', ClassSet? Set = null, int X = 0, int Y = 0);

    /// <summary>The expression of <paramref name="pattern"/>; a <see cref="FormatException"/> naming what is not allowed and where.</summary>
    public static PatternExpression Parse(string pattern)
    {
        var parser = new Parser(pattern);
        var top = parser.Alternatives();
        if (parser.Position < pattern.Length) throw parser.Error("')' without its '('");
        var program = new List<Instruction>();
        Compile(new Node { Kind = NodeKind.Group, Parts = top }, program, pattern);
        program.Add(new Instruction(Op.Match));
        return new PatternExpression([.. program]);
    }

    private static void Compile(Node node, List<Instruction> program, string pattern)
    {
        for (int i = 0; i < node.Min; i++) CompileOnce(node, program, pattern);
        if (node.Max < 0)
        {
            // L: split(body, out); body; jump L; out:
            int split = program.Count;
            program.Add(default);
            CompileOnce(node, program, pattern);
            program.Add(new Instruction(Op.Jump, X: split));
            program[split] = new Instruction(Op.Split, X: split + 1, Y: program.Count);
            return;
        }
        // The optional copies: split(body, out); body; split(body, out); body; ... out:
        var splits = new List<int>();
        for (int i = node.Min; i < node.Max; i++)
        {
            splits.Add(program.Count);
            program.Add(default);
            CompileOnce(node, program, pattern);
        }
        foreach (int split in splits) program[split] = new Instruction(Op.Split, X: split + 1, Y: program.Count);
    }

    private static void CompileOnce(Node node, List<Instruction> program, string pattern)
    {
        if (program.Count > MaxProgram)
            throw new FormatException($"/{pattern}/ is too large to match: its repetitions make more than {MaxProgram} steps");
        switch (node.Kind)
        {
            case NodeKind.Literal: program.Add(new Instruction(Op.Char, node.Char)); break;
            case NodeKind.AnyButNewLine: program.Add(new Instruction(Op.AnyButNewLine)); break;
            case NodeKind.Class: program.Add(new Instruction(Op.Class, Set: node.Set)); break;
            case NodeKind.Start: program.Add(new Instruction(Op.Start)); break;
            case NodeKind.End: program.Add(new Instruction(Op.End)); break;
            case NodeKind.Sequence:
                foreach (var item in node.Parts) Compile(item, program, pattern);
                break;
            case NodeKind.Group:
                // split(a1, next); a1; jump out; next: split(a2, next2); a2; jump out; ... an; out:
                var jumps = new List<int>();
                for (int i = 0; i < node.Parts.Length; i++)
                {
                    int split = -1;
                    if (i < node.Parts.Length - 1)
                    {
                        split = program.Count;
                        program.Add(default);
                    }
                    Compile(node.Parts[i], program, pattern);
                    if (split >= 0)
                    {
                        jumps.Add(program.Count);
                        program.Add(default);
                        program[split] = new Instruction(Op.Split, X: split + 1, Y: program.Count);
                    }
                }
                foreach (int jump in jumps) program[jump] = new Instruction(Op.Jump, X: program.Count);
                break;
        }
    }

    /// <summary>
    /// True when the expression matches somewhere in <paramref name="value"/>: every way through the program is followed
    /// at once, one character at a time (a new way starting at each position), so the work is the value's length times
    /// the program's, whatever the pattern.
    /// </summary>
    public bool IsMatch(string value)
    {
        var current = new List<int>();
        var next = new List<int>();
        var seen = new int[_program.Length];             // the position + 1 at which a step was last added
        var pending = new Stack<int>();
        for (int pos = 0; ; pos++)
        {
            if (Add(current, 0, pos, value, seen, pending)) return true;
            if (pos == value.Length) return false;
            char c = value[pos];
            next.Clear();
            foreach (int pc in current)
            {
                var step = _program[pc];
                bool takes = step.Op switch
                {
                    Op.Char => SameIgnoringCase(c, step.Char),
                    Op.AnyButNewLine => c != '\n',
                    Op.Class => step.Set!.Contains(c),
                    _ => false,
                };
                if (takes && Add(next, pc + 1, pos + 1, value, seen, pending)) return true;
            }
            (current, next) = (next, current);
        }
    }

    /// <summary>
    /// Adds the step at <paramref name="pc"/> and every step it reaches without reading a character to
    /// <paramref name="steps"/> (each once per position); true when one of them is the match.
    /// </summary>
    private bool Add(List<int> steps, int pc, int pos, string value, int[] seen, Stack<int> pending)
    {
        pending.Push(pc);
        while (pending.Count > 0)
        {
            int at = pending.Pop();
            if (seen[at] == pos + 1) continue;
            seen[at] = pos + 1;
            var step = _program[at];
            switch (step.Op)
            {
                case Op.Match:
                    pending.Clear();
                    return true;
                case Op.Jump:
                    pending.Push(step.X);
                    break;
                case Op.Split:
                    pending.Push(step.Y);
                    pending.Push(step.X);
                    break;
                case Op.Start:
                    if (pos == 0) pending.Push(at + 1);
                    break;
                case Op.End:
                    if (pos == value.Length || (pos == value.Length - 1 && value[pos] == '\n')) pending.Push(at + 1);
                    break;
                default:
                    steps.Add(at);
                    break;
            }
        }
        return false;
    }

    private static bool SameIgnoringCase(char a, char b) =>
        a == b || char.ToUpperInvariant(a) == char.ToUpperInvariant(b) || char.ToLowerInvariant(a) == char.ToLowerInvariant(b);

    /// <summary>\d, \w, \s as .NET defines them (Unicode digits; letters, digits, marks and connectors; white space).</summary>
    private static bool IsNamed(char name, char c) => name switch
    {
        'd' => char.IsDigit(c),
        'w' => char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark
            or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation,
        's' => char.IsWhiteSpace(c),
        _ => false,
    };

    /// <summary>Recursive descent over the pattern, one position at a time.</summary>
    private sealed class Parser(string pattern)
    {
        public int Position;

        public FormatException Error(string what) => new($"{what} at position {Position + 1}; profile patterns allow literals, ., [classes], \\d \\w \\s, (groups|alternatives), ? * + {{n,m}} and ^ $");

        public Node[] Alternatives()
        {
            var alternatives = new List<Node> { Sequence() };
            while (Position < pattern.Length && pattern[Position] == '|')
            {
                Position++;
                alternatives.Add(Sequence());
            }
            return [.. alternatives];
        }

        private Node Sequence()
        {
            var items = new List<Node>();
            while (Position < pattern.Length && pattern[Position] is not ('|' or ')'))
            {
                var atom = Atom();
                Quantifier(atom);
                items.Add(atom);
            }
            return new Node { Kind = NodeKind.Sequence, Parts = [.. items] };
        }

        private Node Atom()
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
                    var group = new Node { Kind = NodeKind.Group, Parts = Alternatives() };
                    if (Position >= pattern.Length) throw Error("'(' without its ')'");
                    Position++;
                    return group;
                case '[':
                    Position++;
                    return new Node { Kind = NodeKind.Class, Set = Class() };
                case '.':
                    Position++;
                    return new Node { Kind = NodeKind.AnyButNewLine };
                case '^':
                    Position++;
                    return new Node { Kind = NodeKind.Start };
                case '$':
                    Position++;
                    return new Node { Kind = NodeKind.End };
                case '\\':
                    return Escape(inClass: false) is { } named
                        ? new Node { Kind = NodeKind.Class, Set = Named(named) }
                        : new Node { Kind = NodeKind.Literal, Char = _escaped };
                case '*' or '+' or '?':
                    throw Error($"'{c}' with nothing to repeat");
                case '{' when QuantifierAt(Position, out _, out _, out _):
                    throw Error("'{' with nothing to repeat");
                default:
                    Position++;
                    return new Node { Kind = NodeKind.Literal, Char = c };
            }
        }

        private static ClassSet Named((char Name, bool Negated) named)
        {
            var set = new ClassSet();
            set.Named.Add(named);
            return set;
        }

        private void Quantifier(Node atom)
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
        private ClassSet Class()
        {
            var set = new ClassSet();
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
}
