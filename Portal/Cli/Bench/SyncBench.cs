using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using Npgsql;
using Portal.Domain.Integrations;
using Portal.Infrastructure;
using Portal.Infrastructure.Integrations.Sync;
using Portal.Infrastructure.Persistence;

namespace Portal.Cli.Bench;

/// <summary>
/// <c>bench sync --rows N [--postgres CONNECTION]</c>: a PostgreSQL → PostgreSQL client sync of N
/// rows through the real <see cref="SyncRunner"/> (streamed query, staging by COPY, one merge).
/// Creates a source and a Portal database on the server (default <c>PORTAL_TEST_POSTGRES</c>)
/// and drops both afterwards.
/// </summary>
internal static class SyncBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = CliVerbs.Option(args, "rows") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 100_000;
        var server = CliVerbs.Option(args, "postgres") ?? Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(server))
        {
            Console.Error.WriteLine("usage: bench sync --rows N [--postgres \"Host=...;Username=...;Database=postgres\"] (or set PORTAL_TEST_POSTGRES)");
            return 2;
        }
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (sourceName, portalName) = ($"sync_bench_source_{suffix}", $"sync_bench_portal_{suffix}");
        var keys = Directory.CreateTempSubdirectory("portal-bench-keys-");
        // One statement per command: CREATE/DROP DATABASE refuse to run inside a (batch's implicit) transaction.
        await ExecAsync(server, $"CREATE DATABASE \"{sourceName}\"");
        await ExecAsync(server, $"CREATE DATABASE \"{portalName}\"");
        try
        {
            var source = new NpgsqlConnectionStringBuilder(server) { Database = sourceName }.ConnectionString;
            var portal = new NpgsqlConnectionStringBuilder(server) { Database = portalName }.ConnectionString;
            var fill = Stopwatch.StartNew();
            await ExecAsync(source, $"""
                CREATE TABLE crm_clients (id text PRIMARY KEY, msisdn text, first_name text, last_name text, birth date, spend numeric(12,2), updated_at timestamptz NOT NULL);
                INSERT INTO crm_clients
                SELECT 'B' || g, '+7916' || lpad(g::text, 7, '0'), 'Имя' || (g % 1000), 'Фамилия' || (g % 5000),
                       date '1960-01-01' + (g % 15000), (g % 100000) / 100.0, timestamptz '2026-11-01' + g * interval '1 millisecond'
                FROM generate_series(1, {rows}) g;
                """);
            Console.WriteLine($"source filled with {rows:N0} rows in {fill.Elapsed.TotalSeconds:F1} s");

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = VerbHost.WebContentRoot() });
            builder.Configuration["Database:Provider"] = "Postgres";
            builder.Configuration["Database:ConnectionString"] = portal;
            builder.Configuration["Scheduling:Enabled"] = "false";
            builder.Configuration["DataProtection:KeysPath"] = keys.FullName;
            // The source is on the bench's own server: allow it (Sync:AllowedHosts is empty by default,
            // and without this line every run ended "Host '...' is not in Sync:AllowedHosts").
            builder.Configuration["Sync:AllowedHosts:0"] = new NpgsqlConnectionStringBuilder(server).Host;
            builder.AddPortalInfrastructure();
            using var host = builder.Build();
            await using (var scope = host.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(CancellationToken.None);
            }
            var actor = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "bench")], "bench"));
            var id = await host.Services.GetRequiredService<SyncSourceCatalog>().CreateAsync(actor, new SyncSourceDraft("bench", SyncSourceKind.Postgres,
                SyncTarget.Clients, source, null, null,
                "SELECT id, msisdn, first_name, last_name, birth, spend, updated_at FROM crm_clients WHERE updated_at > COALESCE(@watermark::timestamptz, '-infinity')",
                "updated_at", "0 0 3 * * ?",
                [("id", "ExternalId"), ("msisdn", "Phone"), ("first_name", "FirstName"), ("last_name", "LastName"), ("birth", "BirthDate"), ("spend", "TotalSpend")],
                false), CancellationToken.None);

            var watch = Stopwatch.StartNew();
            var run = await host.Services.GetRequiredService<SyncRunner>().RunAsync(id, CancellationToken.None);
            watch.Stop();
            if (run is not { Succeeded: true })
            {
                Console.Error.WriteLine($"sync failed: {run?.Error}");
                return 1;
            }
            var rate = run.RowsRead / watch.Elapsed.TotalSeconds;
            Console.WriteLine($"{{\"event\":\"bench\",\"kind\":\"sync\",\"rows\":{run.RowsRead},\"upserted\":{run.Upserted},\"rejected\":{run.Rejected}," +
                              $"\"seconds\":{watch.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)},\"rate\":{rate.ToString("F0", CultureInfo.InvariantCulture)}}}");
            Console.WriteLine($"PostgreSQL → PostgreSQL client sync: {run.RowsRead:N0} rows ({run.Upserted:N0} upserted, {run.Rejected:N0} rejected) " +
                              $"in {watch.Elapsed.TotalSeconds:F1} s = {rate:F0} rows/s; working set at the end {Environment.WorkingSet / 1048576} MB");
            return run.Rejected == 0 ? 0 : 1;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecAsync(server, $"DROP DATABASE IF EXISTS \"{sourceName}\" WITH (FORCE)");
            await ExecAsync(server, $"DROP DATABASE IF EXISTS \"{portalName}\" WITH (FORCE)");
            keys.Delete(recursive: true);
        }
    }

    private static async Task ExecAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}
