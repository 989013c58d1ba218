using System.Data.Common;
using System.Globalization;

namespace TapeChanger.State;

/// <summary>
/// One open transaction on the state database. Statements use portable SQL with named <c>@parameters</c>, passed as
/// (name, value) pairs; values are null, string, long/int, or bool (stored as INTEGER 0/1).
/// </summary>
public sealed class StateTransaction
{
    private readonly DbConnection _connection;

    internal StateTransaction(DbConnection connection, bool writable)
    {
        _connection = connection;
        Writable = writable;
    }

    /// <summary>True inside <see cref="StateDatabase.Write{T}"/> (the write lock is held).</summary>
    public bool Writable { get; }

    /// <summary>Runs a statement; returns the number of rows changed.</summary>
    public int Execute(string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, args);
        return cmd.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row, or null.</summary>
    public object? Scalar(string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, args);
        var value = cmd.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>Maps each row with <paramref name="row"/>.</summary>
    public List<T> Query<T>(string sql, Func<DbDataReader, T> row, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, args);
        using var reader = cmd.ExecuteReader();
        var list = new List<T>();
        while (reader.Read()) list.Add(row(reader));
        return list;
    }

    private DbCommand Command(string sql, (string Name, object? Value)[] args)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name.StartsWith('@') ? name : "@" + name;
            p.Value = value switch
            {
                null => DBNull.Value,
                bool b => b ? 1L : 0L,
                uint u => (long)u,
                ushort s => (long)s,
                int i => (long)i,
                DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
                _ => value,
            };
            cmd.Parameters.Add(p);
        }
        return cmd;
    }
}
