using Npgsql;
using Portal.Cli;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Bi;

/// <summary>
/// Issue 16, item 5 on real PostgreSQL: <c>migrate --create-bi-role</c> makes <c>portal_bi</c>, which
/// reads the <c>bi</c> views (same counts and sums as the tables) and nothing else: no table of any
/// schema, not the salt, and it cannot create anything.
/// </summary>
public sealed class BiViewsTests
{
    [Fact]
    public async Task PortalBi_ReadsBiViews_AndNoOtherSchemaOrTable()
    {
        await using var world = await BiWorld.CreateAsync(DatabaseProvider.Postgres, clients: 1_000);
        Assert.Equal(0, await CliVerbs.RunAsync(["migrate", "--create-bi-role", "--bi-password", "bi-test-pw",
            "--Database:Provider", "Postgres", "--Database:ConnectionString", world.Database.ConnectionString]));
        // Twice: the verb is idempotent (the role already exists the second time, and on a shared server).
        Assert.Equal(0, await CliVerbs.RunAsync(["migrate", "--create-bi-role", "--bi-password", "bi-test-pw",
            "--Database:Provider", "Postgres", "--Database:ConnectionString", world.Database.ConnectionString]));

        var asBi = new NpgsqlConnectionStringBuilder(world.Database.ConnectionString) { Username = BiViews.Role, Password = "bi-test-pw", Pooling = false }.ConnectionString;
        await using var bi = new NpgsqlConnection(asBi);
        await bi.OpenAsync();
        Assert.Equal(BiViews.Role, await ScalarAsync<string>(bi, "SELECT current_user"));

        await using var owner = new NpgsqlConnection(world.Database.ConnectionString);
        await owner.OpenAsync();
        Assert.Equal(await ScalarAsync<long>(owner, "SELECT COUNT(*) FROM \"Messages\""), await ScalarAsync<long>(bi, "SELECT COUNT(*) FROM bi.messages"));
        Assert.Equal(await ScalarAsync<decimal>(owner, "SELECT SUM(\"Cost\") FROM \"Messages\" WHERE \"Status\" <> 2"),
            await ScalarAsync<decimal>(bi, "SELECT SUM(cost) FROM bi.daily_cost"));
        Assert.Equal(await ScalarAsync<long>(owner, "SELECT COUNT(*) FROM \"InboundMessages\""), await ScalarAsync<long>(bi, "SELECT COUNT(*) FROM bi.replies"));
        Assert.Equal(2L, await ScalarAsync<long>(bi, "SELECT COUNT(*) FROM bi.campaigns"));
        Assert.Equal(32, await ScalarAsync<int>(bi, "SELECT MIN(length(client_key)) FROM bi.messages"));

        // No personal column in any view, and no phone or reply text in any row.
        var columns = await ListAsync(owner, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'bi'");
        Assert.DoesNotContain(columns, c => c.Contains("phone", StringComparison.Ordinal) || c.Contains("name", StringComparison.Ordinal) && c != "name" || c == "text");
        var phone = await ScalarAsync<string>(owner, "SELECT \"Phone\" FROM \"Clients\" ORDER BY \"Id\" LIMIT 1");
        Assert.Equal(0L, await ScalarAsync<long>(bi, $"SELECT COUNT(*) FROM bi.messages m WHERE CAST(m AS text) LIKE '%{phone.TrimStart('+')}%'"));
        Assert.Equal(0L, await ScalarAsync<long>(bi, $"SELECT COUNT(*) FROM bi.replies r WHERE CAST(r AS text) LIKE '%QUOKKA%'"));

        // Every table of every other schema is refused, the salt included.
        var tables = await ListAsync(owner, """
            SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
            WHERE table_schema NOT IN ('bi', 'pg_catalog', 'information_schema')
            """);
        Assert.Contains("bi_private.salt", tables);
        Assert.Contains("public.\"Messages\"", tables);
        Assert.True(tables.Count > 40, $"only {tables.Count} tables found");
        foreach (var table in tables)
        {
            var e = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<long>(bi, $"SELECT COUNT(*) FROM {table}"));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
        }
        foreach (var sql in new[] { "CREATE TABLE public.x (i int)", "CREATE TABLE bi.x (i int)", "CREATE VIEW bi.y AS SELECT 1 AS i", "DELETE FROM bi.messages" })
        {
            var e = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<object>(bi, sql));
            Assert.True(e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectNotInPrerequisiteState or PostgresErrorCodes.FeatureNotSupported or "55000", $"{sql}: {e.SqlState} {e.MessageText}");
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        var value = await cmd.ExecuteScalarAsync();
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<string>> ListAsync(NpgsqlConnection connection, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<string>();
        while (await reader.ReadAsync()) list.Add(reader.GetString(0));
        return list;
    }
}
