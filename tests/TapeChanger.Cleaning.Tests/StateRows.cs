using System.Globalization;
using System.Text;
using TapeChanger.State;

namespace TapeChanger.Cleaning.Tests;

/// <summary>Every row of every table of a state directory's database, as text (empty when there is no database): "nothing changed" is this string unchanged.</summary>
internal static class StateRows
{
    public static string Dump(string stateDirectory)
    {
        if (!StateDatabase.ExistsIn(stateDirectory)) return "";
        return StateDatabase.Open(stateDirectory).Read(tx =>
        {
            var sb = new StringBuilder();
            foreach (string table in tx.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'schema_version' ORDER BY name", r => r.GetString(0)))
            {
                sb.Append('[').Append(table).AppendLine("]");
                var rows = tx.Query($"SELECT * FROM \"{table}\"", r =>
                    string.Join(" | ", Enumerable.Range(0, r.FieldCount).Select(i => $"{r.GetName(i)}={Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture)}")));
                foreach (string row in rows.Order(StringComparer.Ordinal)) sb.AppendLine(row);
            }
            return sb.ToString();
        });
    }

    /// <summary>The values of one column of a table, for the rows matching <paramref name="where"/>.</summary>
    public static List<string?> Column(string stateDirectory, string table, string column, string where = "1 = 1") =>
        StateDatabase.Open(stateDirectory).Read(tx => tx.Query($"SELECT {column} FROM {table} WHERE {where}",
            r => r.IsDBNull(0) ? null : Convert.ToString(r.GetValue(0), CultureInfo.InvariantCulture)));
}
