using System.Data.Common;

namespace TapeChanger.State;

/// <summary>
/// What differs between the databases the state can live in (SQLite, one file per state directory; PostgreSQL, one
/// database shared by a fleet of services): connecting, how a transaction starts, how failures read, and the few
/// expressions that have no portable spelling. Migrations and stores stay portable SQL with named @parameters.
/// </summary>
internal interface IStateDialect
{
    /// <summary>An opened, configured connection.</summary>
    DbConnection Open();

    /// <summary>Statements that start a read-modify-write transaction holding the database's write lock from the start.</summary>
    IReadOnlyList<string> BeginWrite { get; }

    /// <summary>Statements that start a transaction without the write lock, rows locked by its own statements (<see cref="LockRows"/>).</summary>
    IReadOnlyList<string> BeginRowLocked { get; }

    /// <summary>Statements that start a read transaction: one consistent snapshot.</summary>
    IReadOnlyList<string> BeginRead { get; }

    /// <summary>One row, count 1, when the table @name exists.</summary>
    string TableExists { get; }

    /// <summary>The database's clock in milliseconds since 1970 (one clock for every host of a fleet).</summary>
    string NowMilliseconds { get; }

    /// <summary>Appended to a SELECT: the rows read stay locked against writers until the transaction ends ("" where the write lock covers it).</summary>
    string LockRows { get; }

    /// <summary>A migration statement as this database runs it.</summary>
    string Translate(string statement);

    /// <summary>The typed failure for an error, or null when the error is not about the database (a bug in a statement).</summary>
    StateDatabaseException? Classify(Exception e, string path);

    /// <summary>True when a failure means the connection broke before the transaction did anything (safe to start it again once).</summary>
    bool IsConnectionLost(Exception e);
}
