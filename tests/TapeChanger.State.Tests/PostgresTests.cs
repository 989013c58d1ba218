namespace TapeChanger.State.Tests;

/// <summary>What only a database server does: not being there, refusing the user, dropping connections, notifying.</summary>
public class PostgresTests
{
    [Fact]
    public void A_database_uri_is_parsed_and_shown_without_its_password()
    {
        var l = PostgresLocation.Parse("postgresql://tc:s3cret@db.example:6543/tape?sslmode=require&application_name=svc1");
        Assert.Equal("postgresql://tc@db.example:6543/tape", l.Display);
        Assert.Contains("Password=s3cret", l.ConnectionString);
        Assert.Equal("postgresql://tc:***@h/d", PostgresLocation.Redact("postgresql://tc:s3cret@h/d"));
        Assert.Contains("is not a postgresql://", Assert.Throws<ArgumentException>(() => PostgresLocation.Parse("mysql://h/d")).Message);
        Assert.Contains("names no database", Assert.Throws<ArgumentException>(() => PostgresLocation.Parse("postgresql://h:5432")).Message);
        Assert.Contains("unknown parameter 'x'", Assert.Throws<ArgumentException>(() => PostgresLocation.Parse("postgresql://h/d?x=1")).Message);
    }

    [Fact]
    public void An_unreachable_server_is_a_one_line_database_failure()
    {
        var e = Assert.Throws<StateDatabaseException>(() => StateDatabase.OpenServer(PostgresLocation.Parse("postgresql://tc:pw@127.0.0.1:1/tape"), Migration.BuiltIn));
        Assert.Equal("state database postgresql://tc@127.0.0.1:1/tape: cannot reach PostgreSQL at 127.0.0.1:1 (connection refused)", e.Message);
    }

    [Theory, OnPostgres]
    public void An_unknown_user_or_database_is_named_in_one_line(Backend backend)
    {
        using var t = new TestDatabase(backend);
        var u = new Uri(t.Location);
        var user = Assert.Throws<StateDatabaseException>(() => StateDatabase.OpenServer(PostgresLocation.Parse($"postgresql://nobody_here@{u.Host}:{u.Port}{u.AbsolutePath}"), Migration.BuiltIn));
        Assert.Contains("authentication failed for user 'nobody_here'", user.Message);
        var db = Assert.Throws<StateDatabaseException>(() => StateDatabase.OpenServer(PostgresLocation.Parse($"{t.Location}_missing"), Migration.BuiltIn));
        Assert.Contains("does not exist", db.Message);
        Assert.DoesNotContain('\n', user.Message + db.Message);
    }

    [Theory, OnPostgres]
    public void Connections_the_server_dropped_are_replaced_at_the_next_transaction(Backend backend)
    {
        using var t = new TestDatabase(backend);
        var db = t.Open(TestMigrations.CounterSchema);
        for (int i = 0; i < 3; i++) TestMigrations.Increment(db);                 // pooled connections now open
        TestDatabase.Admin($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{new Uri(t.Location).AbsolutePath.Trim('/')}' AND pid <> pg_backend_pid()");
        Assert.Equal(4, TestMigrations.Increment(db));
    }

    [Theory, OnPostgres]
    public async Task A_notification_reaches_a_listener_when_the_transaction_commits(Backend backend)
    {
        using var t = new TestDatabase(backend);
        var db = t.Open(TestMigrations.CounterSchema);
        var got = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var listening = db.ListenAsync("tc_test", p => { if (p.Length == 0) ready.TrySetResult(); else got.TrySetResult(p); }, null, cts.Token);
        await ready.Task.WaitAsync(cts.Token);
        db.Write(tx => db.Notify(tx, "tc_test", "lib-7"));
        Assert.Equal("lib-7", await got.Task.WaitAsync(cts.Token));
        await cts.CancelAsync();
        await listening;
    }
}
