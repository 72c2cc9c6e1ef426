using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Integrations.Sync;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Sync;

/// <summary>A second, real PostgreSQL database playing the other system: created on the test server, dropped after.</summary>
public sealed class SourceDatabase : IAsyncDisposable
{
    private SourceDatabase(string name, string connectionString) => (Name, ConnectionString) = (name, connectionString);

    public string Name { get; }
    public string ConnectionString { get; }

    public static async Task<SourceDatabase> CreateAsync(string? password = null)
    {
        var name = $"sync_source_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(TestEnvironment.Postgres))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(TestEnvironment.Postgres) { Database = name, Password = password }.ConnectionString;
        return new SourceDatabase(name, cs);
    }

    public async Task ExecAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(TestEnvironment.Postgres);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>Nothing scheduled: tests call the runner themselves.</summary>
internal sealed class NoSchedule : ISyncSchedule
{
    public Task ApplyAsync(SyncSource source, CancellationToken ct) => Task.CompletedTask;
    public Task RemoveAsync(int sourceId, CancellationToken ct) => Task.CompletedTask;
    public Task TriggerNowAsync(int sourceId, CancellationToken ct) => Task.CompletedTask;
    public Task<DateTimeOffset?> NextFireAsync(int sourceId, CancellationToken ct) => Task.FromResult<DateTimeOffset?>(null);
}

internal sealed class LoopbackHttpClients : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => new(SyncRunner.CreateHttpHandler()) { Timeout = TimeSpan.FromSeconds(20) };
}

/// <summary>The sync services over a fresh Portal database of one provider, wired as the app wires them.</summary>
internal sealed class SyncHarness : IAsyncDisposable
{
    private SyncHarness(TestDatabase portal)
    {
        Portal = portal;
        var keys = Directory.CreateTempSubdirectory("portal-keys-");
        KeysFolder = keys.FullName;
        Secrets = new SyncSecrets(DataProtectionProvider.Create(keys, b => b.SetApplicationName("Portal")));
        var clock = TimeProvider.System;
        Runner = CreateRunner();
        Catalog = new SyncSourceCatalog(portal.Factory, Secrets, new NoSchedule(), new AuditLog(portal.Factory, clock));
    }

    /// <summary>Another node's runner over the same Portal database (issue 13: racing runs).</summary>
    public SyncRunner CreateRunner()
    {
        var clock = TimeProvider.System;
        var portal = Portal;
        return new SyncRunner(portal.Factory, new ClientImporter(portal.Factory, clock, NullLogger<ClientImporter>.Instance),
            new ClientEventIngestion(portal.Factory, clock, NullLogger<ClientEventIngestion>.Instance),
            new Portal.Infrastructure.Alerts.StaffDirectory(portal.Factory, clock), Secrets, new LoopbackHttpClients(),
            Options.Create(new SyncOptions { EventBatchSize = 2, AllowedHosts = ["127.0.0.1", "localhost"] }), clock, NullLogger<SyncRunner>.Instance,
            Options.Create(new DatabaseOptions { Provider = portal.Provider, ConnectionString = portal.ConnectionString }));
    }

    public TestDatabase Portal { get; }
    public string KeysFolder { get; }
    public SyncSecrets Secrets { get; }
    public SyncRunner Runner { get; }
    public SyncSourceCatalog Catalog { get; }

    public static async Task<SyncHarness> CreateAsync(DatabaseProvider provider) => new(await TestDatabase.CreateAsync(provider));

    public static System.Security.Claims.ClaimsPrincipal Admin { get; } =
        new(new System.Security.Claims.ClaimsIdentity([new(System.Security.Claims.ClaimTypes.Name, "admin@test.local")], "test"));

    public async ValueTask DisposeAsync()
    {
        await Portal.DisposeAsync();
        Directory.Delete(KeysFolder, recursive: true);
    }
}
