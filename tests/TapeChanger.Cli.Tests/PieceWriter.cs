using System.Text;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// A writer that records the size of each piece handed to it (a char array or a builder's text), for the renderers
/// that must write in pieces: neither all at once nor a char at a time.
/// </summary>
internal sealed class PieceWriter : StringWriter
{
    public StringBuilder Text => GetStringBuilder();
    public List<int> Sizes { get; } = [];
    public int Writes => Sizes.Count;
    public int Longest => Sizes.Count == 0 ? 0 : Sizes.Max();

    public override void Write(char[] buffer, int index, int count)
    {
        Sizes.Add(count);
        base.Write(buffer, index, count);
    }

    public override void Write(StringBuilder? value)
    {
        Sizes.Add(value?.Length ?? 0);
        base.Write(value);
    }
}
