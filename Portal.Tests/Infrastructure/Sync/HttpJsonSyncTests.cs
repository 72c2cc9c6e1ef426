using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Integrations.Sync;
using Portal.Infrastructure.Persistence;

namespace Portal.Tests.Infrastructure.Sync;

public class HttpJsonSyncTests
{
    private const string Token = "tok-123-secret";

    /// <summary>A tiny CRM feed on 127.0.0.1 that honours ?since= and wants a bearer token.</summary>
    private sealed class Feed : IAsyncDisposable
    {
        private readonly WebApplication _app;
        public ConcurrentQueue<string> Since { get; } = new();
        public List<(string Id, string Phone, string Name, string Updated)> Rows { get; } = [];

        private Feed(WebApplication app) => _app = app;

        public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        public static async Task<Feed> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var feed = new Feed(app);
            app.MapGet("/clients", (HttpContext http, string? since) =>
            {
                if (http.Request.Headers.Authorization != $"Bearer {Token}")
                {
                    return Results.Unauthorized();
                }
                feed.Since.Enqueue(since ?? "");
                var rows = feed.Rows.Where(r => string.IsNullOrEmpty(since) || DateTimeOffset.Parse(r.Updated) > DateTimeOffset.Parse(since))
                    .Select(r => new Dictionary<string, object?> { ["crm_id"] = r.Id, ["phone"] = r.Phone, ["name"] = r.Name, ["updated"] = r.Updated, ["vip"] = true });
                return Results.Json(rows);
            });
            app.MapGet("/broken", () => Results.Text("""[{"crm_id": "B1", "phone": "+79161112233", "updated": "2026-11-20T10:00:00Z"}, {"crm_id": "B2", "phone": """, "application/json"));
            app.MapGet("/object", () => Results.Text("""{"crm_id": "B1"}""", "application/json"));
            await app.StartAsync();
            return feed;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    private static SyncSourceDraft Draft(string url, string? token = Token) => new("Feed", SyncSourceKind.HttpJson, SyncTarget.Clients, null, url, token, "",
        "updated", "0 0 * * * ?", [("crm_id", "ExternalId"), ("phone", "Phone"), ("name", "FirstName")], true) { OverlapMinutes = 0 };

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Feed_IsImported_ThenOnlyPastTheWatermark(DatabaseProvider provider)
    {
        await using var sync = await SyncHarness.CreateAsync(provider);
        await using var feed = await Feed.StartAsync();
        feed.Rows.Add(("H1", "+79161112233", "Анна", "2026-11-20T10:00:00Z"));
        feed.Rows.Add(("H2", "+79261112233", "Иван", "2026-11-20T11:00:00Z"));
        feed.Rows.Add(("H3", "12", "Плохой", "2026-11-20T11:30:00Z"));
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, Draft(feed.Url + "/clients?since={watermark}"), default);

        var first = await sync.Runner.RunAsync(id, default);
        Assert.True(first!.Succeeded, first.Error);
        Assert.Equal((3, 2, 1), (first.RowsRead, first.Upserted, first.Rejected));

        feed.Rows.Add(("H4", "+79031112233", "Олег", "2026-11-21T08:00:00Z"));
        var second = await sync.Runner.RunAsync(id, default);
        Assert.True(second!.Succeeded, second.Error);
        Assert.Equal((1, 1, 0), (second.RowsRead, second.Upserted, second.Rejected));
        Assert.Equal(["", "2026-11-20T11:30:00.0000000+00:00"], feed.Since.ToArray());
        await using var read = sync.Portal.CreateContext();
        Assert.Equal(["H1", "H2", "H4"], await read.Clients.OrderBy(c => c.ExternalId).Select(c => c.ExternalId!).ToListAsync());
    }

    [Fact]
    public async Task BadJson_FailsTheRun_AndAppliesNothing()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        await using var feed = await Feed.StartAsync();
        var broken = await sync.Catalog.CreateAsync(SyncHarness.Admin, Draft(feed.Url + "/broken"), default);
        var notArray = await sync.Catalog.CreateAsync(SyncHarness.Admin, Draft(feed.Url + "/object") with { Name = "Object" }, default);

        var run = await sync.Runner.RunAsync(broken, default);
        Assert.False(run!.Succeeded);
        Assert.StartsWith("The endpoint's answer is not a JSON array of objects", run.Error);
        var other = await sync.Runner.RunAsync(notArray, default);
        Assert.False(other!.Succeeded);
        Assert.StartsWith("The endpoint's answer is not a JSON array of objects", other.Error);

        await using var read = sync.Portal.CreateContext();
        Assert.Equal(0, await read.Clients.CountAsync()); // B1 was valid and read before the break: still not applied
        Assert.All(await read.SyncSources.ToListAsync(), s => Assert.Null(s.Watermark));
    }

    [Fact]
    public async Task WrongToken_AndUnreachableHost_FailWithTheReason()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        await using var feed = await Feed.StartAsync();
        var wrong = await sync.Catalog.CreateAsync(SyncHarness.Admin, Draft(feed.Url + "/clients", "nope"), default);
        var closed = await sync.Catalog.CreateAsync(SyncHarness.Admin, Draft("http://127.0.0.1:1/clients") with { Name = "Closed" }, default);

        Assert.Equal("The endpoint answered 401 Unauthorized.", (await sync.Runner.RunAsync(wrong, default))!.Error);
        Assert.StartsWith("Could not reach the endpoint", (await sync.Runner.RunAsync(closed, default))!.Error);
    }

    [Fact]
    public async Task Token_IsStoredEncrypted_AndKeptWhenAnEditLeavesItBlank()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        await using var feed = await Feed.StartAsync();
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, Draft(feed.Url + "/clients"), default);
        await sync.Catalog.UpdateAsync(SyncHarness.Admin, id, Draft(feed.Url + "/clients", token: null), default);
        await using var read = sync.Portal.CreateContext();
        var location = await read.SyncSources.Select(s => s.Location).SingleAsync();
        Assert.DoesNotContain(Token, location);
        Assert.True((await sync.Runner.RunAsync(id, default))!.Succeeded); // the feed refuses a request without the token
    }
}
