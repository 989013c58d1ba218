using System.Data.Common;
using System.Globalization;

namespace TapeChanger.State;

/// <summary>
/// One table's mapping to a model class: a column per property, each declared on one line with how to read it from the
/// model and how to set it from the row. Rows may also carry scope columns the model does not hold (the library key,
/// a drive key, a position), given per row. A store keeps the rows of its state in step with <see cref="Sync"/>: only
/// what changed is written, so a new field is one <see cref="Map"/> line plus a migration adding the column.
/// </summary>
public sealed class RowMap<T> : IRowMap where T : class, new()
{
    // Kept without the model type (RowColumn): a list of tuples of T's delegates made the NativeAOT image carry a list,
    // comparers, a sorter and an empty array for each model type, about seven static blocks each allocated at every
    // start of the CLI (docs/performance.md).
    private readonly List<RowColumn> _columns = [];

    /// <param name="table">The table.</param>
    /// <param name="scope">Leading columns whose values are given per row (not read from the model).</param>
    /// <param name="key">The primary key columns (among scope and mapped columns).</param>
    public RowMap(string table, string[] scope, string[] key)
    {
        Table = table;
        Scope = scope;
        Key = key;
    }

    public string Table { get; }
    public IReadOnlyList<string> Scope { get; }
    public IReadOnlyList<string> Key { get; }
    public IEnumerable<string> Columns => Scope.Concat(RowColumn.Names(_columns));

    public RowMap<T> Map(string column, Func<T, object?> get, Action<T, DbValue> set)
    {
        _columns.Add(new RowColumn(column, item => get((T)item), (item, value) => set((T)item, value)));
        return this;
    }

    /// <summary>The row of <paramref name="item"/> with its scope values, as stored (normalised values).</summary>
    public RowImage Image(T item, params object?[] scope)
    {
        if (scope.Length != Scope.Count) throw new ArgumentException($"{Table}: {Scope.Count} scope values expected", nameof(scope));
        var values = new object?[Scope.Count + _columns.Count];
        for (int i = 0; i < scope.Length; i++) values[i] = DbValue.Normalize(scope[i]);
        for (int i = 0; i < _columns.Count; i++) values[Scope.Count + i] = DbValue.Normalize(_columns[i].Get(item));
        return new RowImage(values);
    }

    /// <summary>Reads the rows matching <paramref name="where"/> (SQL after WHERE, may end with ORDER BY), each with its scope values.</summary>
    public List<(T Item, object?[] Scope)> Select(StateTransaction tx, string where, params (string Name, object? Value)[] args) =>
        tx.Query($"SELECT {string.Join(", ", Columns)} FROM {Table} WHERE {where}", r =>
        {
            var item = new T();
            var scope = new object?[Scope.Count];
            for (int i = 0; i < Scope.Count; i++) scope[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            for (int i = 0; i < _columns.Count; i++) _columns[i].Set(item, new DbValue(r, Scope.Count + i));
            return (item, scope);
        }, args);

    /// <summary>
    /// Writes the difference between two sets of rows of this table: deletes rows whose key is gone, inserts new keys,
    /// updates rows whose values changed. Unchanged rows are not touched.
    /// </summary>
    public void Sync(StateTransaction tx, IEnumerable<RowImage> before, IEnumerable<RowImage> after)
    {
        var columns = Columns.ToList();
        int[] keyIndex = [.. Key.Select(k => columns.IndexOf(k))];
        string KeyOf(RowImage r) => string.Join("\u001f", keyIndex.Select(i => Convert.ToString(r.Values[i], CultureInfo.InvariantCulture)));
        var old = before.ToDictionary(KeyOf);
        var now = after.ToDictionary(KeyOf);
        string keyWhere = string.Join(" AND ", Key.Select(k => $"{k} = @{k}"));
        foreach (var (key, row) in old)
        {
            if (!now.ContainsKey(key)) tx.Execute($"DELETE FROM {Table} WHERE {keyWhere}", [.. keyIndex.Select(i => (columns[i], row.Values[i]))]);
        }
        foreach (var (key, row) in now)
        {
            var args = columns.Select((c, i) => (c, row.Values[i])).ToArray();
            if (!old.TryGetValue(key, out var previous))
            {
                tx.Execute($"INSERT INTO {Table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "@" + c))})", args);
            }
            else if (!previous.Values.SequenceEqual(row.Values))
            {
                string set = string.Join(", ", columns.Where(c => !Key.Contains(c)).Select(c => $"{c} = @{c}"));
                tx.Execute($"UPDATE {Table} SET {set} WHERE {keyWhere}", args);
            }
        }
    }
}

/// <summary>One mapped column: its name, and how to read it from a model and set it from a row (the model as object).</summary>
internal sealed class RowColumn(string name, Func<object, object?> get, Action<object, DbValue> set)
{
    public string Name { get; } = name;
    public Func<object, object?> Get { get; } = get;
    public Action<object, DbValue> Set { get; } = set;

    public static IEnumerable<string> Names(List<RowColumn> columns)
    {
        foreach (var c in columns) yield return c.Name;
    }
}

/// <summary>A table mapping without its model type: what a store needs to write a list of tables in order.</summary>
public interface IRowMap
{
    string Table { get; }
    void Sync(StateTransaction tx, IEnumerable<RowImage> before, IEnumerable<RowImage> after);
}

/// <summary>The stored values of one row (normalised: null, string or long).</summary>
public sealed record RowImage(object?[] Values);

/// <summary>One column value of a row being read, with the conversions the mappers need.</summary>
public readonly struct DbValue
{
    private readonly DbDataReader _reader;
    private readonly int _ordinal;

    public DbValue(DbDataReader reader, int ordinal)
    {
        _reader = reader;
        _ordinal = ordinal;
    }

    public bool IsNull => _reader.IsDBNull(_ordinal);
    public string? Text => IsNull ? null : Convert.ToString(_reader.GetValue(_ordinal), CultureInfo.InvariantCulture);
    public string TextOrEmpty => Text ?? "";
    public long? LongOrNull => IsNull ? null : Convert.ToInt64(_reader.GetValue(_ordinal), CultureInfo.InvariantCulture);
    public long Long => LongOrNull ?? 0;
    public int Int => checked((int)Long);
    public int? IntOrNull => LongOrNull is { } v ? checked((int)v) : null;
    public uint UInt => checked((uint)Long);
    public ushort UShort => checked((ushort)Long);
    public ushort? UShortOrNull => LongOrNull is { } v ? checked((ushort)v) : null;
    public bool Bool => Long != 0;
    public Guid Guid => Guid.Parse(TextOrEmpty);
    public DateTimeOffset Time => TimeOrNull ?? default;
    public DateTimeOffset? TimeOrNull => Text is { } t ? DateTimeOffset.Parse(t, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : null;
    public TEnum Enum<TEnum>() where TEnum : struct, System.Enum => System.Enum.Parse<TEnum>(TextOrEmpty);
    public TEnum? EnumOrNull<TEnum>() where TEnum : struct, System.Enum => Text is { } t ? System.Enum.Parse<TEnum>(t) : null;

    /// <summary>How a model value is stored: text for strings, times (ISO 8601 round-trip), GUIDs and enums (their names); integers and booleans as integers.</summary>
    public static object? Normalize(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? 1L : 0L,
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        Guid g => g.ToString("D"),
        System.Enum e => e.ToString(),
        IConvertible c => c.ToInt64(CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}
