using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Campaigns;
using Portal.Domain.Common;
using Portal.Domain.Departments;
using Portal.Domain.Segments;
using Portal.Domain.Templates;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Infrastructure.Templates;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Campaigns;

/// <summary>
/// Issue 14: department boundaries enforced on the server for every id-based operation a page or
/// a tampered Blazor event can reach: templates (list, open, versions, save, restore), the wizard
/// (offered and accepted audiences and templates), campaigns (edit by id) and segment rules
/// (references to another department's segment or list). Refusals are audited. Both databases.
/// </summary>
public sealed class DepartmentBoundaryTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private sealed record World(TestDatabase Database, int Sales, int Support, int SalesSegment, int SupportSegment, int SharedSegment,
        int SupportList, int SalesTemplate, int SupportTemplate, int SharedTemplate, int SupportCampaign);

    private static ClaimsPrincipal SalesManager() =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "u-sales"), new Claim(ClaimTypes.Name, "sales@portal.local"),
            new Claim(ClaimTypes.Role, Roles.CampaignManager)], "test"));

    private static async Task<World> WorldAsync(DatabaseProvider provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();
        var sales = new Department("Sales");
        var support = new Department("Support");
        db.Departments.AddRange(sales, support);
        await db.SaveChangesAsync();
        var rule = SegmentRuleJson.Serialize(SegmentRule.Everyone());
        var salesSegment = new Segment("Sales VIP", sales.Id, rule, "seed", Now);
        var supportSegment = new Segment("Support callbacks", support.Id, rule, "seed", Now);
        var sharedSegment = new Segment("Everyone", null, rule, "seed", Now);
        var supportList = new StaticList("Support queue", support.Id, "seed", Now);
        var salesTemplate = new MessageTemplate("Sales offer", sales.Id, "Offer for {{ client.first_name }}", "seed", Now);
        var supportTemplate = new MessageTemplate("Support notice", support.Id, "Notice", "seed", Now);
        var sharedTemplate = new MessageTemplate("Shared hello", null, "Hello", "seed", Now);
        db.AddRange(salesSegment, supportSegment, sharedSegment, supportList, salesTemplate, supportTemplate, sharedTemplate);
        await db.SaveChangesAsync();
        db.TemplateVersions.Add(supportTemplate.CurrentVersion("seed"));
        var supportCampaign = new Campaign("Support outage", support.Id, MessagePurpose.Service, "support@portal.local", Now, new CampaignSettings { SegmentId = supportSegment.Id, Body = "x" });
        db.Campaigns.Add(supportCampaign);
        db.Users.Add(new PortalUser { Id = "u-sales", UserName = "sales@portal.local", NormalizedUserName = "SALES@PORTAL.LOCAL", DepartmentId = sales.Id });
        await db.SaveChangesAsync();
        return new World(database, sales.Id, support.Id, salesSegment.Id, supportSegment.Id, sharedSegment.Id, supportList.Id,
            salesTemplate.Id, supportTemplate.Id, sharedTemplate.Id, supportCampaign.Id);
    }

    private static TemplateStore Templates(World w) =>
        new(w.Database.Factory, new TemplateEngine(), new AuditLog(w.Database.Factory, TimeProvider.System), TimeProvider.System);

    private static CampaignCatalog Catalog(World w) =>
        new(w.Database.Factory, new AuditLog(w.Database.Factory, TimeProvider.System), new DepartmentScopes(w.Database.Factory), TimeProvider.System);

    private static async Task<List<AuditEntry>> RefusalsAsync(World w)
    {
        await using var db = w.Database.CreateContext();
        return await db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.AccessRefused).OrderBy(a => a.Id).ToListAsync();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Templates_ListOpenVersionsSaveRestore_OfAnotherDepartment_AreRefusedAndAudited(DatabaseProvider provider)
    {
        var w = await WorldAsync(provider);
        await using var _ = w.Database;
        var store = Templates(w);
        var user = SalesManager();
        var scope = DepartmentScope.Of(w.Sales);

        Assert.Equal(["Sales offer", "Shared hello"], (await store.ListAsync(scope, default)).Select(t => t.Name));
        Assert.Null(await store.FindAsync(w.SupportTemplate, scope, user, default));
        Assert.Empty(await store.VersionsAsync(w.SupportTemplate, scope, default));
        var save = await Assert.ThrowsAsync<DomainException>(() => store.SaveAsync(scope, user, w.SupportTemplate, "Hijacked", "Changed", default));
        var restore = await Assert.ThrowsAsync<DomainException>(() => store.RestoreAsync(scope, user, w.SupportTemplate, 1, default));

        Assert.Contains("another department", save.Message);
        Assert.Contains("another department", restore.Message);
        await using (var db = w.Database.CreateContext())
        {
            var untouched = await db.Templates.AsNoTracking().SingleAsync(t => t.Id == w.SupportTemplate);
            Assert.Equal(("Support notice", "Notice"), (untouched.Name, untouched.Body));
        }
        var refusals = await RefusalsAsync(w);
        Assert.Equal(3, refusals.Count);
        Assert.All(refusals, r => Assert.Equal((w.SupportTemplate.ToString(), "sales@portal.local"), (r.EntityId, r.UserName)));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Templates_OwnAndShared_OpenAndSave_AndEverySaveIsAudited_NewOnesBelongToTheDepartment(DatabaseProvider provider)
    {
        var w = await WorldAsync(provider);
        await using var _ = w.Database;
        var store = Templates(w);
        var user = SalesManager();
        var scope = DepartmentScope.Of(w.Sales);

        Assert.NotNull(await store.FindAsync(w.SharedTemplate, scope, user, default));
        await store.SaveAsync(scope, user, w.SalesTemplate, "Sales offer", "New offer text", default);
        var (created, _) = await store.SaveAsync(scope, user, null, "Sales new", "Brand new", default);

        await using var db = w.Database.CreateContext();
        Assert.Equal(w.Sales, (await db.Templates.SingleAsync(t => t.Id == created)).DepartmentId);
        var saves = await db.AuditEntries.Where(a => a.Action == AuditActions.TemplateSaved).ToListAsync();
        Assert.Equal(2, saves.Count);
        Assert.All(saves, a => Assert.Equal("sales@portal.local", a.UserName));
        Assert.Contains(saves, a => a.EntityId == w.SalesTemplate.ToString() && a.Details == "version 2");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Wizard_OffersOnlyTheDepartmentsAndSharedAudiencesAndTemplates(DatabaseProvider provider)
    {
        var w = await WorldAsync(provider);
        await using var _ = w.Database;

        var options = await Catalog(w).OptionsAsync(DepartmentScope.Of(w.Sales), default);

        Assert.Equal(["Everyone", "Sales VIP"], options.Segments.Select(s => s.Name));
        Assert.Equal(["Sales offer", "Shared hello"], options.Templates.Select(t => t.Name));
        var all = await Catalog(w).OptionsAsync(DepartmentScope.Everything, default);
        Assert.Equal(3, all.Segments.Count);
        Assert.Equal(3, all.Templates.Count);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SaveDraft_WithAnotherDepartmentsAudienceExclusionOrTemplate_OrOfAnotherDepartmentsCampaign_IsRefusedAndAudited(DatabaseProvider provider)
    {
        var w = await WorldAsync(provider);
        await using var _ = w.Database;
        var catalog = Catalog(w);
        var user = SalesManager();

        var audience = await Assert.ThrowsAsync<DomainException>(() =>
            catalog.SaveDraftAsync(null, new CampaignDraft { Name = "x", Settings = new CampaignSettings { SegmentId = w.SupportSegment, Body = "Hi" } }, user, w.Sales, default));
        var exclusion = await Assert.ThrowsAsync<DomainException>(() =>
            catalog.SaveDraftAsync(null, new CampaignDraft { Name = "x", Settings = new CampaignSettings { SegmentId = w.SalesSegment, ExcludedSegmentIds = [w.SupportSegment], Body = "Hi" } }, user, w.Sales, default));
        var template = await Assert.ThrowsAsync<DomainException>(() =>
            catalog.SaveDraftAsync(null, new CampaignDraft { Name = "x", Settings = new CampaignSettings { SegmentId = w.SalesSegment, TemplateId = w.SupportTemplate, Body = "Hi" } }, user, w.Sales, default));
        var campaign = await Assert.ThrowsAsync<DomainException>(() =>
            catalog.SaveDraftAsync(w.SupportCampaign, new CampaignDraft { Name = "Hijacked", Settings = new CampaignSettings { SegmentId = w.SharedSegment, Body = "Hi" } }, user, w.Sales, default));
        var own = await catalog.SaveDraftAsync(null, new CampaignDraft { Name = "Mine", Settings = new CampaignSettings { SegmentId = w.SalesSegment, ExcludedSegmentIds = [w.SharedSegment], TemplateId = w.SharedTemplate, Body = "Hi" } }, user, w.Sales, default);

        Assert.Contains("no longer exists", audience.Message);
        Assert.Contains("no longer exists", exclusion.Message);
        Assert.Contains("no longer exists", template.Message);
        Assert.Contains("does not exist", campaign.Message);
        Assert.True(own > 0);
        await using (var db = w.Database.CreateContext())
        {
            Assert.Equal("Support outage", (await db.Campaigns.SingleAsync(c => c.Id == w.SupportCampaign)).Name);
            Assert.Equal(2, await db.Campaigns.CountAsync());
        }
        var refusals = await RefusalsAsync(w);
        Assert.Equal(4, refusals.Count);
        Assert.Equal(["Segment", "Segment", "MessageTemplate", "Campaign"], refusals.Select(r => r.EntityType));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SegmentRule_ReferringToAnotherDepartmentsSegmentOrList_IsRefused(DatabaseProvider provider)
    {
        var w = await WorldAsync(provider);
        await using var _ = w.Database;
        var store = new SegmentStore(w.Database.Factory, new SegmentAudience(w.Database.Factory, TimeProvider.System), TimeProvider.System);
        var scope = DepartmentScope.Of(w.Sales);
        SegmentRule With(string criterion, int id) => new()
        {
            Root = new RuleGroup { Children = [new RuleCondition { Criterion = criterion, Operator = RuleOperator.In, Value = new JsonArray(id) }] },
        };

        await Assert.ThrowsAsync<DomainException>(() => store.SaveAsync(scope, null, "probe", With(Criteria.StaticList, w.SupportList), "sales", default));
        await Assert.ThrowsAsync<DomainException>(() => store.SaveAsync(scope, null, "probe", With(Criteria.Segment, w.SupportSegment), "sales", default));
        await Assert.ThrowsAsync<DomainException>(() => store.SaveAsync(scope, null, "probe", new SegmentRule { ExcludeLists = [w.SupportList] }, "sales", default));
        var (ok, _) = await store.SaveAsync(scope, null, "fine", With(Criteria.Segment, w.SharedSegment), "sales", default);

        Assert.True(ok > 0);
        await using var db = w.Database.CreateContext();
        Assert.False(await db.Segments.AnyAsync(s => s.Name == "probe"));
    }
}
