using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Common;
using Portal.Domain.Departments;
using Portal.Domain.Providers;
using Portal.Domain.Segments;
using Portal.Domain.Templates;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Campaigns;

public class CampaignCatalogTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    internal static ClaimsPrincipal User(string name) => new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, Portal.Domain.Access.Roles.CampaignManager)], "test"));

    /// <summary>Two departments, two segments, a template, an enabled and a disabled provider, and a user with a phone.</summary>
    internal sealed record World(int Sales, int Support, int Everyone, int Vip, int Template, int Provider, int DisabledProvider);

    internal static async Task<World> SeedAsync(PortalDbContext db)
    {
        var sales = new Department("Sales");
        var support = new Department("Support");
        var rules = SegmentRuleJson.Serialize(SegmentRule.Everyone());
        var everyone = new Segment("Everyone", null, rules, "seed", Now);
        var vip = new Segment("VIP", null, rules, "seed", Now);
        var template = new MessageTemplate("Welcome", null, "Hello {{ client.first_name }}", "seed", Now);
        var provider = new SmsProvider("Main SMSC", ProviderKind.Smpp, "{}");
        var disabled = new SmsProvider("Old SMSC", ProviderKind.Smpp, "{}") { Enabled = false };
        db.AddRange(sales, support, everyone, vip, template, provider, disabled);
        await db.SaveChangesAsync();
        db.Users.Add(new PortalUser { UserName = "cm@portal.local", NormalizedUserName = "CM@PORTAL.LOCAL", Email = "cm@portal.local", DepartmentId = sales.Id, PhoneNumber = "+79123456789", PhoneNumberConfirmed = true });
        await db.SaveChangesAsync();
        return new World(sales.Id, support.Id, everyone.Id, vip.Id, template.Id, provider.Id, disabled.Id);
    }

    private static CampaignCatalog Catalog(TestDatabase database) =>
        new(database.Factory, new AuditLog(database.Factory, TimeProvider.System), new DepartmentScopes(database.Factory), TimeProvider.System);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SaveDraft_ThenList_FiltersByDepartmentAndSearch_AndAudits(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        World w;
        await using (var db = database.CreateContext()) w = await SeedAsync(db);
        var catalog = Catalog(database);
        var user = User("cm@portal.local");

        var launch = Now.AddDays(3);
        var id = await catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Black Friday", Purpose = MessagePurpose.Advertising, LaunchAtUtc = launch, Settings = new CampaignSettings { SegmentId = w.Everyone, ExcludedSegmentIds = [w.Vip], TemplateId = w.Template, Body = "Hi {{ client.first_name }}", SenderId = "Shop", ProviderId = w.Provider, ScheduleKind = ScheduleKind.At, ControlGroupPercent = 10, SpeedLimit = 50 } }, user, w.Sales, default);
        await catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Service notice" }, user, w.Support, default);

        var saved = await catalog.FindAsync(id, default);
        Assert.NotNull(saved);
        Assert.Equal((CampaignStatus.Draft, MessagePurpose.Advertising, "Shop", launch, w.Sales, "cm@portal.local"),
            (saved.Status, saved.Purpose, saved.Settings.SenderId, saved.ScheduledAt, saved.DepartmentId, saved.CreatedBy));
        Assert.Equal([w.Vip], saved.Settings.ExcludedSegmentIds);

        var sales = await catalog.ListAsync(new CampaignListQuery(DepartmentId: w.Sales), default);
        Assert.Equal(["Black Friday"], sales.Select(r => r.Name));
        Assert.Equal("Sales", sales[0].Department);
        Assert.Equal(2, (await catalog.ListAsync(new CampaignListQuery(), default)).Count);
        Assert.Equal(["Service notice"], (await catalog.ListAsync(new CampaignListQuery(Search: "NOTICE"), default)).Select(r => r.Name));
        Assert.Empty(await catalog.ListAsync(new CampaignListQuery(Search: "100%"), default));
        // A campaign manager sees their department's campaigns plus the ones they wrote; another author's stay hidden.
        Assert.Equal(2, (await catalog.ListAsync(new CampaignListQuery(DepartmentId: -1, Author: "cm@portal.local"), default)).Count);
        Assert.Empty(await catalog.ListAsync(new CampaignListQuery(DepartmentId: -1, Author: "other@portal.local"), default));

        // Editing rewrites the same draft; changing purpose is allowed while it is one.
        var edit = CampaignDraft.From(saved);
        edit.Purpose = MessagePurpose.Service;
        edit.Settings = edit.Settings with { ScheduleKind = ScheduleKind.Now };
        Assert.Equal(id, await catalog.SaveDraftAsync(id, edit, user, w.Sales, default));
        var edited = await catalog.FindAsync(id, default);
        Assert.Equal((MessagePurpose.Service, (DateTime?)null), (edited!.Purpose, edited.ScheduledAt));

        await using var check = database.CreateContext();
        Assert.Equal(3, await check.AuditEntries.CountAsync(a => a.Action == CampaignCatalog.DraftSavedAction && a.UserName == "cm@portal.local"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SaveDraft_BadInputOrNotADraft_IsRefusedWithAReason_AndChangesNothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        World w;
        await using (var db = database.CreateContext()) w = await SeedAsync(db);
        var catalog = Catalog(database);
        var user = User("cm@portal.local");

        var sender = await Assert.ThrowsAsync<DomainException>(() => catalog.SaveDraftAsync(null, new CampaignDraft { Name = "x", Settings = new CampaignSettings { SenderId = "Way too long sender" } }, user, w.Sales, default));
        Assert.Contains("sender id", sender.Message);
        var gone = await Assert.ThrowsAsync<DomainException>(() => catalog.SaveDraftAsync(null, new CampaignDraft { Name = "x", Settings = new CampaignSettings { ProviderId = w.DisabledProvider } }, user, w.Sales, default));
        Assert.Contains("provider", gone.Message);
        var both = await Assert.ThrowsAsync<DomainException>(() => catalog.SaveDraftAsync(null, new CampaignDraft { Name = "x", Settings = new CampaignSettings { SegmentId = w.Vip, ExcludedSegmentIds = [w.Vip] } }, user, w.Sales, default));
        Assert.Contains("both the audience and an exclusion", both.Message);
        Assert.Empty(await catalog.ListAsync(new CampaignListQuery(), default));

        var id = await catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Ready", Settings = new CampaignSettings { SegmentId = w.Everyone, Body = "Hi" } }, user, w.Sales, default);
        await using (var db = database.CreateContext())
        {
            var c = await db.Campaigns.SingleAsync(x => x.Id == id);
            c.Schedule(Now, Now);
            await db.SaveChangesAsync();
        }
        var late = await Assert.ThrowsAsync<DomainException>(() => catalog.SaveDraftAsync(id, new CampaignDraft { Name = "Renamed", Settings = new CampaignSettings { SegmentId = w.Everyone, Body = "Changed" } }, user, w.Sales, default));
        Assert.Contains("Scheduled", late.Message);
        var after = await catalog.FindAsync(id, default);
        Assert.Equal(("Ready", "Hi", CampaignStatus.Scheduled), (after!.Name, after.Settings.Body, after.Status));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RunsOfARecurringCampaign_AreListedUnderTheParent_NotInTheList(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        World w;
        await using (var db = database.CreateContext()) w = await SeedAsync(db);
        var catalog = Catalog(database);
        var parent = await catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Weekly", Settings = new CampaignSettings { SegmentId = w.Everyone, Body = "Hi", ScheduleKind = ScheduleKind.Recurring, Cron = "0 0 10 ? * MON", RecurrenceEndsAt = Now.AddMonths(1) } }, User("cm@portal.local"), w.Sales, default);
        await using (var db = database.CreateContext())
        {
            var weekly = await db.Campaigns.AsNoTracking().SingleAsync(c => c.Id == parent);
            db.Campaigns.Add(Campaign.RunOf(weekly, "Weekly #1", Now, Now));
            db.Campaigns.Add(Campaign.RunOf(weekly, "Weekly #2", Now.AddDays(7), Now.AddDays(7)));
            await db.SaveChangesAsync();
        }

        Assert.Equal(["Weekly #2", "Weekly #1"], (await catalog.RunsAsync(parent, default)).Select(r => r.Name));
        Assert.Equal(["Weekly"], (await catalog.ListAsync(new CampaignListQuery(), default)).Select(r => r.Name));

        var profile = await catalog.ProfileAsync("CM@portal.local", default);
        Assert.Equal((w.Sales, "+79123456789"), (profile.DepartmentId, profile.Phone));
        var options = await catalog.OptionsAsync(default);
        Assert.Equal(["Main SMSC"], options.Providers.Select(p => p.Name));
        Assert.Equal(["Everyone", "VIP"], options.Segments.Select(s => s.Name));
        Assert.Equal("Hello {{ client.first_name }}", options.Templates.Single().Body);
    }
}
