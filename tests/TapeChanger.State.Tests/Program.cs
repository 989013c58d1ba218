using System.Globalization;

namespace TapeChanger.State.Tests;

/// <summary>
/// The child process of <see cref="ProcessTests"/>: <c>increment DIR N</c> adds 1 to a counter N times through
/// <see cref="StateDatabase.Write{T}"/>; <c>journal DIR</c> appends rows forever and prints "ack I" after each commit.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var db = StateDatabase.OpenFile(Path.Combine(args[1], "test.db"), TestMigrations.CounterSchema);
        switch (args[0])
        {
            case "increment":
                for (int i = 0; i < int.Parse(args[2], CultureInfo.InvariantCulture); i++) TestMigrations.Increment(db);
                return 0;
            case "journal":
                for (long i = 1; ; i++)
                {
                    db.Write(tx =>
                    {
                        tx.Execute("INSERT INTO journal (n, text) VALUES (@n, @t)", ("n", i), ("t", new string('x', 200)));
                        tx.Execute("UPDATE counter SET value = @n WHERE id = 1", ("n", i));
                    });
                    Console.Out.WriteLine($"ack {i}");
                    Console.Out.Flush();
                }
            default:
                return 64;
        }
    }
}

internal static class TestMigrations
{
    public static IReadOnlyList<Migration> CounterSchema { get; } =
    [
        new(1, "counter", "CREATE TABLE counter (id INTEGER NOT NULL PRIMARY KEY, value BIGINT NOT NULL);\nINSERT INTO counter (id, value) VALUES (1, 0);"),
        new(2, "journal", "CREATE TABLE journal (n BIGINT NOT NULL PRIMARY KEY, text TEXT NOT NULL);"),
    ];

    public static long Increment(StateDatabase db) => db.Write(tx =>
    {
        long v = Convert.ToInt64(tx.Scalar("SELECT value FROM counter WHERE id = 1"), CultureInfo.InvariantCulture);
        tx.Execute("UPDATE counter SET value = @v WHERE id = 1", ("v", v + 1));
        return v + 1;
    });

    public static long Counter(StateDatabase db) =>
        db.Read(tx => Convert.ToInt64(tx.Scalar("SELECT value FROM counter WHERE id = 1"), CultureInfo.InvariantCulture));
}
