using System.Security.Claims;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Domain.Departments;
using Portal.Domain.Providers;
using Portal.Infrastructure.Analytics;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Seeding;
using Portal.Tests.Infrastructure.Analytics;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Bi;

/// <summary>
/// A database with demo clients (real-looking phones and names), a department, a provider and one
/// campaign whose text, replies and client data are known, plus the BI services wired by hand.
/// </summary>
internal sealed class BiWorld : IAsyncDisposable
{
    public const string Body = "Ваш персональный код ZEBRA-7741 действует до пятницы";
    public const string ReplyText = "Perezvonite mne po nomeru QUOKKA-9";
    public const string HostileCampaign = "=HYPERLINK(\"http://evil\",\"x\")";
    public static readonly DateTime SentAt = new(2026, 11, 2, 9, 0, 0, DateTimeKind.Utc);

    private BiWorld(TestDatabase database, string folder) => (Database, Folder) = (database, folder);

    public TestDatabase Database { get; }
    public string Folder { get; }
    public int CampaignId { get; private set; }
    public int ProviderId { get; private set; }
    public int DepartmentId { get; private set; }
    public BiOptions Options { get; } = new() { ParquetRowGroup = 1_000, ExportFolder = "exports", ScheduledRoot = "share", ScheduledAttempts = 2 };

    public static async Task<BiWorld> CreateAsync(DatabaseProvider provider, int clients = 3_000)
    {
        var folder = Directory.CreateTempSubdirectory("portal-bi-").FullName;
        var world = new BiWorld(await TestDatabase.CreateAsync(provider), folder);
        await using (var db = world.Database.CreateContext())
        {
            await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(0, clients, SentAt), null, CancellationToken.None);
            var department = new Department("Retail");
            var smsProvider = new SmsProvider("MegaSMS", ProviderKind.Smpp, "{}");
            db.AddRange(department, smsProvider);
            await db.SaveChangesAsync();
            world.DepartmentId = department.Id;
            world.ProviderId = smsProvider.Id;
            var campaign = new Campaign("Black Friday", department.Id, MessagePurpose.Advertising, "author@portal.local", SentAt, new CampaignSettings { Body = Body, ControlGroupPercent = 10 });
            var hostile = new Campaign(HostileCampaign, department.Id, MessagePurpose.Service, "author@portal.local", SentAt, new CampaignSettings { Body = "x" });
            db.Campaigns.AddRange(campaign, hostile);
            await db.SaveChangesAsync();
            world.CampaignId = campaign.Id;
            await db.Campaigns.Where(c => c.Id == campaign.Id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, CampaignStatus.Completed).SetProperty(c => c.StartedAt, SentAt).SetProperty(c => c.FinishedAt, SentAt.AddHours(1)));
            var first = await db.Clients.MinAsync(c => c.Id);
            var last = await db.Clients.MaxAsync(c => c.Id);
            await PlantedHistoryWriter.WriteAsync(db, new PlantedCampaign(campaign.Id, first, last, SentAt, ReplyEvery: 5, OptOutEvery: 9,
                UndeliverableEvery: 11, ProviderId: smsProvider.Id), CancellationToken.None);
            await db.InboundMessages.Where(i => i.Kind == Portal.Domain.Messages.InboundKind.Reply)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Text, ReplyText));
            // The provider's ids, as submit_sm_resp would have stored them, for the reconciliation.
            await db.Database.ExecuteSqlRawAsync(
                "UPDATE \"Messages\" SET \"ProviderMessageId\" = 'mx' || CAST(\"Id\" AS TEXT) WHERE \"Status\" <> 2");
        }
        return world;
    }

    public TimeProvider Time { get; } = new AnalyticsWorld.FixedTime(SentAt.AddDays(10));

    public BiKeyStore Keys => _keys ??= new BiKeyStore(Database.Factory, DataProtection, Microsoft.Extensions.Options.Options.Create(Options));
    private BiKeyStore? _keys;
    private static readonly IDataProtectionProvider DataProtection = new EphemeralDataProtectionProvider();

    public BiReader Reader => new(Database.Factory, Keys, Microsoft.Extensions.Options.Options.Create(Options),
        new CampaignsReport(Database.Factory, new CampaignResults(Database.Factory, Microsoft.Extensions.Options.Options.Create(new AnalyticsOptions()), Time), Time), Time);

    public BiExporter Exporter(IHttpClientFactory? http = null) => new(Database.Factory, Reader, new AuditLog(Database.Factory, Time),
        Microsoft.Extensions.Options.Options.Create(Options), new HostingEnvironment { ContentRootPath = Folder }, Time,
        http ?? new NoHttp(), NullLogger<BiExporter>.Instance);

    public BiExportFiles ExportFiles(TimeProvider time) => new(Database.Factory, Microsoft.Extensions.Options.Options.Create(Options),
        new HostingEnvironment { ContentRootPath = Folder }, time, NullLogger<BiExportFiles>.Instance);

    public FinanceReports Finance => new(Database.Factory, Microsoft.Extensions.Options.Options.Create(Options));

    public static ClaimsPrincipal User(string role) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, role.ToLowerInvariant() + "@portal.local"), new Claim(ClaimTypes.Role, role)], "test"));

    public async Task<byte[]> ExportBytesAsync(string dataset, BiFormat format, bool personal, bool compress = true, BiFilter? filter = null)
    {
        using var stream = new MemoryStream();
        var ds = BiDatasets.Find(dataset)!;
        await BiWriter.WriteAsync(stream, format, ds.Columns(personal), Reader.ReadRowsAsync(ds, filter ?? new BiFilter(CampaignId: CampaignId), personal),
            new BiWriteOptions(false, Options.ParquetRowGroup, compress), null, CancellationToken.None);
        return stream.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        try { Directory.Delete(Folder, true); } catch (IOException) { }
    }

    private sealed class NoHttp : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }
}
