using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Bi;

/// <summary>Issue 16, item 3: a definition's run into the share (atomic rename, manifest) and by HTTP PUT with a retried failure.</summary>
public sealed class ScheduledExportTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task FolderTarget_WritesFileAndManifest_NoTempLeft(DatabaseProvider provider)
    {
        await using var world = await BiWorld.CreateAsync(provider, clients: 300);
        var id = await AddAsync(world, new BiExportDefinition("Nightly messages", "messages", BiFormat.Parquet, "0 0 2 * * ?", BiTargetKind.Folder, "finance/daily",
            30, null, world.CampaignId, "analyst@portal.local", BiWorld.SentAt));
        var run = (await world.Exporter().RunDefinitionAsync(id, null, CancellationToken.None))!;

        Assert.Equal(BiExportStatus.Succeeded, run.Status);
        Assert.Equal(300, run.Rows);
        var folder = Path.Combine(world.Folder, "share", "finance", "daily");
        var file = Assert.Single(Directory.GetFiles(folder, "*.parquet"));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(file + ".manifest.json"))!;
        Assert.Equal(300, (long)manifest["rows"]!);
        Assert.Equal(1, (int)manifest["schemaVersion"]!);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file))), (string)manifest["sha256"]!);
        Assert.Equal(300, (long)(await BiExportTests.ReadWithHyparquetAsync(file))["rows"]!);

        // A folder outside the share is refused at run time (and shown as a failed run).
        var outside = await AddAsync(world, new BiExportDefinition("Escape", "messages", BiFormat.Csv, "0 0 2 * * ?", BiTargetKind.Folder, "../../etc",
            1, null, null, "analyst@portal.local", BiWorld.SentAt));
        var refused = (await world.Exporter().RunDefinitionAsync(outside, null, CancellationToken.None))!;
        Assert.Equal(BiExportStatus.Failed, refused.Status);
        Assert.Contains("outside", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpPut_FailsOnce_IsRetried_AndBothRunsAreInTheHistory()
    {
        await using var world = await BiWorld.CreateAsync(DatabaseProvider.Sqlite, clients: 100);
        var handler = new FlakyPut();
        var id = await AddAsync(world, new BiExportDefinition("Push", "daily_cost", BiFormat.Csv, "0 30 1 * * ?", BiTargetKind.HttpPut, "https://bi.example.test/drop",
            30, null, null, "analyst@portal.local", BiWorld.SentAt));
        var run = (await world.Exporter(new Factory(handler)).RunDefinitionAsync(id, null, CancellationToken.None))!;

        Assert.Equal(BiExportStatus.Succeeded, run.Status);
        Assert.Equal(2, run.Attempt);
        Assert.StartsWith("https://bi.example.test/drop/daily_cost-", run.Location, StringComparison.Ordinal);
        Assert.Contains(handler.Bodies.Keys, k => k.EndsWith(".csv.manifest.json", StringComparison.Ordinal));
        Assert.StartsWith("day,department_id,department,provider_id", handler.Bodies.Single(b => b.Key.EndsWith(".csv", StringComparison.Ordinal)).Value, StringComparison.Ordinal);
        await using var db = world.Database.CreateContext();
        var history = await db.BiExports.Where(e => e.DefinitionId == id).OrderBy(e => e.Id).ToListAsync();
        Assert.Equal([BiExportStatus.Failed, BiExportStatus.Succeeded], history.Select(h => h.Status));
        Assert.Contains("500", history[0].Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Two nodes' schedulers fire the same cron time: one runs it, the other stands down, on both
    /// databases (a unique index decides, not a read-then-write). "Run now" is not a firing.
    /// </summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task OneFiring_OnTwoNodes_RunsOnce_RunNowStillRuns(DatabaseProvider provider)
    {
        await using var world = await BiWorld.CreateAsync(provider, clients: 200);
        var id = await AddAsync(world, new BiExportDefinition("Nightly cost", "daily_cost", BiFormat.Csv, "0 0 2 * * ?", BiTargetKind.Folder, "nightly",
            30, null, null, "analyst@portal.local", BiWorld.SentAt));
        var firing = new DateTime(2026, 11, 12, 2, 0, 0, 400, DateTimeKind.Utc);
        var (nodeA, nodeB) = (world.Exporter(), world.Exporter());

        var runs = await Task.WhenAll(
            Task.Run(() => nodeA.RunDefinitionAsync(id, firing, CancellationToken.None)),
            Task.Run(() => nodeB.RunDefinitionAsync(id, firing.AddMilliseconds(300), CancellationToken.None)));

        var ran = Assert.Single(runs, r => r is not null)!;
        Assert.Equal(BiExportStatus.Succeeded, ran.Status);
        Assert.Equal(new DateTime(2026, 11, 12, 2, 0, 0, DateTimeKind.Utc), ran.FiringAt);
        // The same firing again (a misfire replayed after a restart) does nothing either.
        Assert.Null(await nodeB.RunDefinitionAsync(id, firing, CancellationToken.None));
        // The next night's firing and a "run now" both run.
        Assert.Equal(BiExportStatus.Succeeded, (await nodeB.RunDefinitionAsync(id, firing.AddDays(1), CancellationToken.None))!.Status);
        Assert.Equal(BiExportStatus.Succeeded, (await nodeA.RunDefinitionAsync(id, null, CancellationToken.None))!.Status);
        await using var db = world.Database.CreateContext();
        var history = await db.BiExports.Where(e => e.DefinitionId == id).OrderBy(e => e.Id).Select(e => e.FiringAt).ToListAsync();
        Assert.Equal([firing.AddMilliseconds(-400), firing.AddMilliseconds(-400).AddDays(1), null], history);
    }

    [Fact]
    public void Definition_RejectsBadCronUrlAndPeriod()
    {
        Assert.Throws<Portal.Domain.Common.DomainException>(() => new BiExportDefinition("x", "messages", BiFormat.Csv, "every night", BiTargetKind.Folder, "a", 1, null, null, "u", BiWorld.SentAt));
        Assert.Throws<Portal.Domain.Common.DomainException>(() => new BiExportDefinition("x", "messages", BiFormat.Csv, "0 0 2 * * ?", BiTargetKind.HttpPut, "file:///etc/passwd", 1, null, null, "u", BiWorld.SentAt));
        Assert.Throws<Portal.Domain.Common.DomainException>(() => new BiExportDefinition("x", "messages", BiFormat.Csv, "0 0 2 * * ?", BiTargetKind.Folder, "a", 0, null, null, "u", BiWorld.SentAt));
        Assert.Throws<Portal.Domain.Common.DomainException>(() => new BiExportDefinition("x", "phones", BiFormat.Csv, "0 0 2 * * ?", BiTargetKind.Folder, "a", 1, null, null, "u", BiWorld.SentAt));
    }

    private static async Task<int> AddAsync(BiWorld world, BiExportDefinition definition)
    {
        await using var db = world.Database.CreateContext();
        db.BiExportDefinitions.Add(definition);
        await db.SaveChangesAsync();
        return definition.Id;
    }

    private sealed class FlakyPut : HttpMessageHandler
    {
        private int _calls;
        public Dictionary<string, string> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Assert.Equal(HttpMethod.Put, request.Method);
            if (Interlocked.Increment(ref _calls) == 1) return new HttpResponseMessage(HttpStatusCode.InternalServerError);
            Bodies[request.RequestUri!.ToString()] = await request.Content!.ReadAsStringAsync(ct);
            return new HttpResponseMessage(HttpStatusCode.Created);
        }
    }

    private sealed class Factory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }
}
