using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;

namespace TapeChanger.Domain;

/// <summary>
/// Typed changer operations over an <see cref="SmcClient"/>. Each operation checks its preconditions with a
/// targeted READ ELEMENT STATUS of just the elements involved, moves, then re-reads those elements to verify.
/// </summary>
public sealed partial class MediaChanger : IAsyncDisposable
{
    private readonly SmcClient _client;
    private readonly ChangerSettings _settings;
    private ElementMap? _map;
    private readonly List<string> _warnings = [];
    private int _mapChanges;

    public MediaChanger(SmcClient client, ChangerSettings? settings = null, ElementMap? knownMap = null)
    {
        _client = client;
        _settings = settings ?? new ChangerSettings();
        _map = knownMap;
    }

    /// <summary>The SCSI client underneath (the domain's own; tests read its command count and quirks).</summary>
    internal SmcClient Client => _client;

    /// <summary>The knobs in force for this library: its profile's, changed by what this session learned.</summary>
    public ChangerQuirks Quirks => _client.Quirks;

    /// <summary>What this session learned that the profile did not say, one operator-language line each.</summary>
    public IReadOnlyList<string> Learned => _client.Learned;

    /// <summary>The device this changer was opened on.</summary>
    public string Device => _client.Device;

    /// <summary>Things the operator should know that did not stop the operation (profile defaults used, quirks learned).</summary>
    public IReadOnlyList<string> Warnings => [.. _warnings, .. _client.Learned];

    private async ValueTask Run(string operation, Func<ValueTask> action)
    {
        try { await action().ConfigureAwait(false); }
        catch (ScsiCheckConditionException e) { throw SenseClassifier.Classify(e, operation); }
    }

    private async ValueTask<T> Run<T>(string operation, Func<ValueTask<T>> action)
    {
        try { return await action().ConfigureAwait(false); }
        catch (ScsiCheckConditionException e) { throw SenseClassifier.Classify(e, operation); }
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
