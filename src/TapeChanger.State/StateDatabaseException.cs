namespace TapeChanger.State;

/// <summary>What went wrong with the state database, in the two kinds RSM reported.</summary>
public enum StateFailure
{
    /// <summary>
    /// The database cannot be used: corrupt, truncated, not a database, unreadable, permission denied, a schema newer
    /// than this program, or locked by another process for longer than the busy timeout (RSM ERROR_DATABASE_FAILURE).
    /// </summary>
    Failure,
    /// <summary>The disk (or the database's size limit) is full: nothing was written (RSM ERROR_DATABASE_FULL).</summary>
    Full,
}

/// <summary>
/// The one exception of the state layer. <see cref="Exception.Message"/> is one line naming the database path and what
/// is wrong; the CLI maps <see cref="Kind"/> to an RSM result and an exit code.
/// </summary>
public sealed class StateDatabaseException : Exception
{
    public StateDatabaseException(StateFailure kind, string databasePath, string problem, Exception? inner = null)
        : base($"state database {databasePath}: {problem}", inner)
    {
        Kind = kind;
        DatabasePath = databasePath;
        Problem = problem;
    }

    public StateFailure Kind { get; }
    public string DatabasePath { get; }
    /// <summary>What is wrong, without the path ("is corrupt (database disk image is malformed)").</summary>
    public string Problem { get; }
}
