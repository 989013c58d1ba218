namespace TapeChanger.Server;

/// <summary>tapechangerd's command line: [--listen ADDRESS]... [--state-dir DIR] [--database URI]. Anything else is a usage error (exit 64).</summary>
public sealed record ServerCommandLine(IReadOnlyList<string> Listen, string? StateDirectory, string? Database = null)
{
    public const string Usage = "usage: tapechangerd [--listen unix:PATH|http://HOST:PORT|https://HOST:PORT]... [--state-dir DIR] [--database postgresql://USER@HOST:PORT/DB]";

    public static ServerCommandLine Parse(string[] args)
    {
        var listen = new List<string>();
        string? state = null, database = null;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value");
            if (a == "--listen") listen.Add(Value()!);
            else if (a.StartsWith("--listen=", StringComparison.Ordinal)) listen.Add(a["--listen=".Length..]);
            else if (a == "--state-dir") state = Value();
            else if (a.StartsWith("--state-dir=", StringComparison.Ordinal)) state = a["--state-dir=".Length..];
            else if (a == "--database") database = Value();
            else if (a.StartsWith("--database=", StringComparison.Ordinal)) database = a["--database=".Length..];
            else throw new ArgumentException($"unrecognized argument '{a}'");
        }
        if (state is { Length: 0 }) throw new ArgumentException("--state-dir is empty; give a directory");
        if (database is { Length: 0 }) throw new ArgumentException("--database is empty; give a postgresql:// URI");
        if (database is not null) TapeChanger.State.PostgresLocation.Parse(database);
        foreach (var l in listen) ListenAddress.Parse(l);
        return new ServerCommandLine(listen, state, database);
    }
}
