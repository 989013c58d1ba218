using System.Collections;

namespace TapeChanger.Cli.Output;

/// <summary>
/// The elements of `status --json`: each <see cref="ElementJson"/> made when read (a 50,000-element library never holds
/// them all), and for <see cref="StatusJsonWriter"/> each element as a <see cref="StatusElementView"/>, with no record
/// made, where it has no cleaning members.
/// </summary>
internal sealed class StatusElements(IReadOnlyList<TapeChanger.Domain.Element> elements, TapeChanger.Domain.ElementMap map,
    Func<TapeChanger.Domain.Element, NeedsCleaningJson?> needsCleaning, Func<TapeChanger.Domain.Element, CleaningNowJson?> cleaning,
    ushort? reservedCleanerSlot) : IReadOnlyList<ElementJson>
{
    public int Count => elements.Count;

    public ElementJson this[int index]
    {
        get
        {
            var e = elements[index];
            return JsonMapper.ToJson(e, map, needsCleaning(e), cleaning(e), Reserved(e));
        }
    }

    /// <summary>The element as a view; false for one with cleaning members (a drive's), which <see cref="this[int]"/> maps.</summary>
    public bool TryView(int index, out StatusElementView view)
    {
        var e = elements[index];
        if (e.Type == TapeChanger.Scsi.ElementType.DataTransfer && (needsCleaning(e) is not null || cleaning(e) is not null))
        {
            view = default;
            return false;
        }
        view = new StatusElementView(e, map, Reserved(e));
        return true;
    }

    private bool? Reserved(TapeChanger.Domain.Element e) =>
        e.Type == TapeChanger.Scsi.ElementType.Storage && e.Address == reservedCleanerSlot ? true : null;

    public IEnumerator<ElementJson> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
