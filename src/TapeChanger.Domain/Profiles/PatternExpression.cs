namespace TapeChanger.Domain;

/// <summary>
/// A profile's match pattern that is not plain (<see cref="ProfilePattern"/>): a regular expression in the subset
/// profiles allow, matched case-insensitively anywhere in the value as .NET's <c>Regex.IsMatch</c> with
/// <c>IgnoreCase | CultureInvariant</c> would (a property test holds the two together on ASCII text). Literal
/// characters and escapes (<c>\.</c>, <c>\t</c>), <c>.</c>, classes (<c>[A-Z0-9]</c>, <c>[^-]</c>, <c>\d \w \s</c> and their
/// negations), groups with alternatives (<c>(a|b)</c>, <c>(?:a|b)</c>), the quantifiers <c>? * + {n} {n,} {n,m}</c>
/// (lazy or not: the answer is the same) and the anchors <c>^ $</c>. Anything else (lookarounds, back-references,
/// inline options, <c>\b</c>, Unicode categories, class subtraction) is refused by <see cref="Parse"/> with what and
/// where. The pattern is compiled to a Thompson automaton (K. Thompson, "Regular expression search algorithm", CACM
/// 11(6), 1968) and every path through it is followed at once, so no pattern takes more than the value's length times
/// its size. The profile reader, and so the CLI's start-up, then need no
/// regular-expression engine in the image (docs/performance.md).
/// </summary>
internal sealed class PatternExpression
{
    /// <summary>The most instructions a pattern may compile to (repetition counts multiply their group's).</summary>
    internal const int MaxProgram = 20_000;

    private readonly Instruction[] _program;

    private PatternExpression(Instruction[] program) => _program = program;

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

    private readonly record struct Instruction(Op Op, char Char = '\0', PatternClass? Set = null, int X = 0, int Y = 0);

    /// <summary>The expression of <paramref name="pattern"/>; a <see cref="FormatException"/> naming what is not allowed and where.</summary>
    public static PatternExpression Parse(string pattern)
    {
        var parser = new PatternParser(pattern);
        var top = parser.Alternatives();
        if (parser.Position < pattern.Length) throw parser.Error("')' without its '('");
        var program = new List<Instruction>();
        Compile(new PatternNode { Kind = PatternNodeKind.Group, Parts = top }, program, pattern);
        program.Add(new Instruction(Op.Match));
        return new PatternExpression([.. program]);
    }

    private static void Compile(PatternNode node, List<Instruction> program, string pattern)
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
        }
        else
        {
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
    }

    private static void CompileOnce(PatternNode node, List<Instruction> program, string pattern)
    {
        if (program.Count > MaxProgram)
            throw new FormatException($"/{pattern}/ is too large to match: its repetitions make more than {MaxProgram} steps");
        switch (node.Kind)
        {
            case PatternNodeKind.Literal: program.Add(new Instruction(Op.Char, node.Char)); break;
            case PatternNodeKind.AnyButNewLine: program.Add(new Instruction(Op.AnyButNewLine)); break;
            case PatternNodeKind.Class: program.Add(new Instruction(Op.Class, Set: node.Set)); break;
            case PatternNodeKind.Start: program.Add(new Instruction(Op.Start)); break;
            case PatternNodeKind.End: program.Add(new Instruction(Op.End)); break;
            case PatternNodeKind.Sequence:
                foreach (var item in node.Parts) Compile(item, program, pattern);
                break;
            case PatternNodeKind.Group:
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
                    return true;                        // IsMatch ends here: what is left on the stack is dropped with it
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

}
