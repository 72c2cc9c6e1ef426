using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Domain.Common;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Integrations.Sync;
using Portal.Infrastructure.Persistence;

namespace Portal.Tests.Infrastructure.Sync;

/// <summary>
/// Issue 14: the ways out of a scheduled sync's READ ONLY, single-statement box, each refused: more
/// statements, transaction control, settings functions, a host not on the allow-list, the portal's
/// own database, and an HTTP redirect to an internal address.
/// </summary>
public sealed class SyncEscapeTests
{
    [Theory]
    [InlineData("SELECT 1; SET TRANSACTION READ WRITE; INSERT INTO t VALUES (1)")]
    [InlineData("SELECT 1; COMMIT; DROP TABLE crm_clients")]
    [InlineData("COMMIT")]
    [InlineData("SET TRANSACTION READ WRITE")]
    [InlineData("select 1 ;select 2")]
    [InlineData("SELECT 1 /* c */ ; /* nested /* c */ */ DELETE FROM t")]
    [InlineData("WITH gone AS (DELETE FROM crm_clients RETURNING *) SELECT * FROM gone")]
    [InlineData("SELECT set_config('transaction_read_only', 'off', false)")]
    [InlineData("SELECT * FROM dblink('dbname=portal', 'SELECT 1') AS t(x int)")]
    [InlineData("SELECT * INTO copy_of FROM crm_clients")]
    [InlineData("SELECT 'a'';'; COMMIT")]
    [InlineData("SELECT $x$ ; $x$; COMMIT")]
    [InlineData("SELECT '\\'; COMMIT; --'")]
    [InlineData("SELECT 'never closed")]
    [InlineData("SELECT 1 /* never closed")]
    [InlineData("DO $$ BEGIN PERFORM 1; END $$")]
    [InlineData("")]
    public void Guard_RefusesEscapes(string query) => Assert.NotNull(SyncQueryGuard.Check(query));

    [Theory]
    [InlineData("SELECT id, msisdn FROM crm_clients WHERE updated_at > COALESCE(@watermark::timestamptz, '-infinity') ORDER BY updated_at")]
    [InlineData("SELECT 'a;b' AS x, \"odd;name\" FROM t -- trailing; comment")]
    [InlineData("SELECT $tag$ COMMIT; $tag$ AS text_with_keywords")]
    [InlineData("SELECT CASE WHEN x > 1 THEN 'a' ELSE 'b' END AS c, start_date, comment FROM t;")]
    [InlineData("WITH recent AS (SELECT * FROM t) SELECT * FROM recent /* done */ ;  -- end")]
    [InlineData("SELECT E'it\\'s' AS quoted")]
    public void Guard_AcceptsOrdinarySelects(string query) => Assert.Null(SyncQueryGuard.Check(query));

    [Fact]
    public async Task Catalog_RefusesAnEscapingQuery_AndTheRunnerRefusesOneStoredBefore()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        await using var source = await SourceDatabase.CreateAsync();
        await source.ExecAsync(PostgresSyncTests.ClientsTable + "INSERT INTO crm_clients VALUES ('S1', '+79161112233', 'A', NULL, 1, now());");
        var evil = PostgresSyncTests.ClientsQuery + "; SET TRANSACTION READ WRITE; DELETE FROM crm_clients";

        await Assert.ThrowsAsync<DomainException>(() => sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(source.ConnectionString, evil), default));
        // A query saved before the rule: written straight to the table.
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(source.ConnectionString), default);
        await using (var db = sync.Portal.CreateContext())
        {
            await db.SyncSources.Where(s => s.Id == id).ExecuteUpdateAsync(u => u.SetProperty(s => s.Query, evil));
        }

        var run = await sync.Runner.RunAsync(id, default);

        Assert.False(run!.Succeeded);
        Assert.Contains("one statement", run.Error);
        await using var check = new NpgsqlConnection(source.ConnectionString);
        await check.OpenAsync();
        Assert.Equal(1L, await new NpgsqlCommand("SELECT count(*) FROM crm_clients", check).ExecuteScalarAsync());
    }

    [Fact]
    public async Task HostNotAllowed_AndThePortalsOwnDatabase_AreRefused()
    {
        await using var portal = await Support.TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        var clock = TimeProvider.System;
        SyncRunner Runner(params string[] hosts) => new(sync.Portal.Factory, new ClientImporter(sync.Portal.Factory, clock, NullLogger<ClientImporter>.Instance),
            new ClientEventIngestion(sync.Portal.Factory, clock, NullLogger<ClientEventIngestion>.Instance),
            new Portal.Infrastructure.Alerts.StaffDirectory(sync.Portal.Factory, clock), sync.Secrets, new LoopbackHttpClients(),
            Options.Create(new SyncOptions { AllowedHosts = [.. hosts] }), clock, NullLogger<SyncRunner>.Instance,
            Options.Create(new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = portal.ConnectionString }));
        var ownDb = new NpgsqlConnectionStringBuilder(portal.ConnectionString) { Host = "localhost" }.ConnectionString;
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, PostgresSyncTests.ClientsDraft(ownDb), default);

        var notListed = await Runner("crm.corp.example").RunAsync(id, default);
        var own = await Runner("localhost", "*.corp.example").RunAsync(id, default);

        Assert.Contains("not in Sync:AllowedHosts", notListed!.Error);
        Assert.Contains("Portal's own database", own!.Error);
        Assert.Null(new SyncOptions { AllowedHosts = ["*.corp.example"] }.CheckHost("crm.corp.example"));
        Assert.NotNull(new SyncOptions { AllowedHosts = ["*.corp.example"] }.CheckHost("corp.example.evil.test"));
        Assert.NotNull(new SyncOptions().CheckHost("127.0.0.1"));
    }

    [Fact]
    public async Task HttpSync_FollowsNoRedirect_ToAnInternalAddress()
    {
        var internalHits = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/feed", (HttpContext http) => Results.Redirect($"http://localhost:{http.Connection.LocalPort}/metadata"));
        app.MapGet("/metadata", () =>
        {
            Interlocked.Increment(ref internalHits);
            return Results.Json(new[] { new { crm_id = "X", phone = "+79161112233", updated = "2026-01-01" } });
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, new SyncSourceDraft("Feed", SyncSourceKind.HttpJson, SyncTarget.Clients, null, url + "/feed", null, "",
            "updated", "0 0 * * * ?", [("crm_id", "ExternalId"), ("phone", "Phone")], true), default);

        var run = await sync.Runner.RunAsync(id, default);

        Assert.False(run!.Succeeded);
        Assert.Contains("redirect", run.Error);
        Assert.Equal(0, internalHits);
    }

    [Fact]
    public void TheAppsSyncHttpClient_DoesNotFollowRedirects()
    {
        using var handler = (SocketsHttpHandler)SyncRunner.CreateHttpHandler();
        Assert.False(handler.AllowAutoRedirect);
    }
}
