using Npgsql;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Sending;

/// <summary>
/// A sender recording a batch and a receipt batch landing on the same messages lock rows in
/// different orders; PostgreSQL aborts one of them. The aborted one must run again, or a batch
/// loses its provider ids, parts and cost (seen in CI as 250 Delivered messages with 0 parts).
/// </summary>
public sealed class ConflictRetryTests
{
    [Fact]
    public async Task RetryOnConflict_RealDeadlockOnPostgres_VictimRunsAgainAndBothWritesLand()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, migrate: false);
        await using (var setup = await OpenAsync(database))
        {
            await ExecAsync(setup, "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL DEFAULT 0, b int NOT NULL DEFAULT 0); INSERT INTO t (id) VALUES (1), (2)");
        }
        await using var victim = await OpenAsync(database);
        await using var other = await OpenAsync(database);
        // The victim checks for the deadlock first, so PostgreSQL aborts it, not the other one.
        await ExecAsync(victim, "SET deadlock_timeout = '200ms'");
        await ExecAsync(other, "SET deadlock_timeout = '10s'");

        await ExecAsync(other, "BEGIN; UPDATE t SET b = 1 WHERE id = 2");
        var attempts = 0;
        var victimWork = DispatchSql.RetryOnConflictAsync(async () =>
        {
            attempts++;
            await ExecAsync(victim, "BEGIN");
            try
            {
                await ExecAsync(victim, "UPDATE t SET a = a + 1 WHERE id = 1");
                await ExecAsync(victim, "UPDATE t SET a = a + 1 WHERE id = 2");
                await ExecAsync(victim, "COMMIT");
            }
            catch
            {
                await ExecAsync(victim, "ROLLBACK");
                throw;
            }
            return attempts;
        }, CancellationToken.None);
        await WaitUntilWaitingAsync(database);
        await ExecAsync(other, "UPDATE t SET b = 1 WHERE id = 1; COMMIT");

        Assert.Equal(2, await victimWork);
        await using var check = new NpgsqlCommand("SELECT string_agg(id || ':' || a || ':' || b, ',' ORDER BY id) FROM t", other);
        Assert.Equal("1:1:1,2:1:1", (string?)await check.ExecuteScalarAsync());
    }

    [Fact]
    public async Task RetryOnConflict_OtherErrors_AreNotRetried()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, migrate: false);
        await using var connection = await OpenAsync(database);
        var attempts = 0;
        var error = await Assert.ThrowsAsync<PostgresException>(() => DispatchSql.RetryOnConflictAsync(async () =>
        {
            attempts++;
            await ExecAsync(connection, "SELECT * FROM no_such_table");
            return 0;
        }, CancellationToken.None));
        Assert.Equal(PostgresErrorCodes.UndefinedTable, error.SqlState);
        Assert.Equal(1, attempts);
    }

    private static async Task<NpgsqlConnection> OpenAsync(TestDatabase database)
    {
        var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Until some other session waits for a row lock (the victim's second UPDATE).</summary>
    private static async Task WaitUntilWaitingAsync(TestDatabase database)
    {
        // Its own connection: pg_stat_activity is read once per transaction.
        await using var observer = await OpenAsync(database);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", observer);
            if ((long)(await command.ExecuteScalarAsync())! > 0) return;
            await Task.Delay(20);
        }
        throw new TimeoutException("the victim never waited for the lock");
    }
}
