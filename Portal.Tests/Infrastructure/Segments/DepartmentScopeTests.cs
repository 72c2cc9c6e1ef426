using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Common;
using Portal.Domain.Departments;
using Portal.Domain.Segments;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Segments;

/// <summary>
/// Issue 5's department scoping: campaign managers see and change their department's segments and
/// static lists plus the shared ones; administrators see all of them.
/// </summary>
public sealed class DepartmentScopeTests
{
    private static readonly DateTime Reference = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private sealed record World(TestDatabase Database, int Sales, int Support, int SalesSegment, int SupportSegment, int SharedSegment,
        int SalesList, int SupportList, int SharedList);

    private static async Task<World> WorldAsync(DatabaseProvider provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();
        var sales = new Department("Sales");
        var support = new Department("Support");
        db.Departments.AddRange(sales, support);
        await db.SaveChangesAsync();
        var rule = SegmentRuleJson.Serialize(SegmentRule.Everyone());
        Segment S(string name, int? department) => new(name, department, rule, "test", Reference);
        StaticList L(string name, int? department) => new(name, department, "test", Reference);
        var (salesSegment, supportSegment, sharedSegment) = (S("Sales VIP", sales.Id), S("Support callbacks", support.Id), S("Everyone", null));
        var (salesList, supportList, sharedList) = (L("Sales leads", sales.Id), L("Support queue", support.Id), L("Staff", null));
        db.Segments.AddRange(salesSegment, supportSegment, sharedSegment);
        db.StaticLists.AddRange(salesList, supportList, sharedList);
        await db.SaveChangesAsync();
        return new World(database, sales.Id, support.Id, salesSegment.Id, supportSegment.Id, sharedSegment.Id, salesList.Id, supportList.Id, sharedList.Id);
    }

    private static SegmentStore Store(World w)
    {
        var clock = new FixedClock(Reference);
        return new SegmentStore(w.Database.Factory, new SegmentAudience(w.Database.Factory, clock), clock);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Segments_AreScopedToTheDepartment_PlusShared_AdministratorsSeeAll(DatabaseProvider provider)
    {
        var w = await WorldAsync(provider);
        await using var _ = w.Database;
        var store = Store(w);
        var sales = DepartmentScope.Of(w.Sales);

        Assert.Equal(["Everyone", "Sales VIP"], (await store.ListAsync(sales, default)).Select(s => s.Name));
        Assert.Equal(["Everyone", "Sales VIP", "Support callbacks"], (await store.ListAsync(DepartmentScope.Everything, default)).Select(s => s.Name));
        Assert.Equal(["Everyone"], (await store.ListAsync(DepartmentScope.Of(null), default)).Select(s => s.Name));

        Assert.Null(await store.FindAsync(w.SupportSegment, sales, default));
        Assert.NotNull(await store.FindAsync(w.SharedSegment, sales, default));
        Assert.NotNull(await store.FindAsync(w.SupportSegment, DepartmentScope.Everything, default));
        await Assert.ThrowsAsync<DomainException>(() => store.CountAsync(w.SupportSegment, sales, default));

        var options = await store.OptionsAsync(sales, default);
        Assert.Equal([w.SharedSegment, w.SalesSegment], options.Segments.Select(s => s.Id));
        Assert.Equal([w.SalesList, w.SharedList], options.Lists.Select(l => l.Id));

        var other = await Assert.ThrowsAsync<DomainException>(() => store.SaveAsync(sales, w.SupportSegment, "Mine now", SegmentRule.Everyone(), "mgr", default));
        Assert.Contains("another department", other.Message);
        await Assert.ThrowsAsync<DomainException>(() => store.DeleteAsync(w.SupportSegment, sales, default));
        Assert.NotNull(await store.FindAsync(w.SupportSegment, DepartmentScope.Everything, default));

        // A new segment belongs to its author's department; a shared one stays editable by everyone.
        var (created, _) = await store.SaveAsync(sales, null, "Sales new", SegmentRule.Everyone(), "mgr", default);
        await using (var db = w.Database.CreateContext())
        {
            Assert.Equal(w.Sales, await db.Segments.Where(s => s.Id == created).Select(s => s.DepartmentId).SingleAsync());
        }
        Assert.Null(await store.FindAsync(created, DepartmentScope.Of(w.Support), default));
        await store.SaveAsync(DepartmentScope.Of(w.Support), w.SharedSegment, "Everyone (renamed)", SegmentRule.Everyone(), "mgr", default);
        await store.DeleteAsync(w.SupportSegment, DepartmentScope.Everything, default);
        Assert.Null(await store.FindAsync(w.SupportSegment, DepartmentScope.Everything, default));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task StaticLists_AreScopedToTheDepartment_PlusShared(DatabaseProvider provider)
    {
        var w = await WorldAsync(provider);
        await using var _ = w.Database;
        var lists = new StaticListImport(w.Database.Factory, new FixedClock(Reference));

        Assert.Equal(["Sales leads", "Staff"], (await lists.ListAsync(DepartmentScope.Of(w.Sales), default)).Select(l => l.Name));
        Assert.Equal(["Staff", "Support queue"], (await lists.ListAsync(DepartmentScope.Of(w.Support), default)).Select(l => l.Name));
        Assert.Equal(3, (await lists.ListAsync(DepartmentScope.Everything, default)).Count);

        var refused = await Assert.ThrowsAsync<DomainException>(() => lists.DeleteAsync(w.SupportList, DepartmentScope.Of(w.Sales), default));
        Assert.Contains("another department", refused.Message);
        await lists.DeleteAsync(w.SalesList, DepartmentScope.Of(w.Sales), default);
        Assert.Equal(["Staff", "Support queue"], (await lists.ListAsync(DepartmentScope.Everything, default)).Select(l => l.Name));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Scope_ComesFromTheUsersDepartment_AdministratorsGetAll(DatabaseProvider provider)
    {
        var w = await WorldAsync(provider);
        await using var _ = w.Database;
        await using (var db = w.Database.CreateContext())
        {
            db.Users.Add(new PortalUser { Id = "u-sales", UserName = "mgr@portal.local", Email = "mgr@portal.local", DepartmentId = w.Sales });
            await db.SaveChangesAsync();
        }
        var scopes = new DepartmentScopes(w.Database.Factory);
        ClaimsPrincipal User(string id, string role) =>
            new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id), new Claim(ClaimTypes.Role, role)], "test"));

        Assert.Equal(DepartmentScope.Of(w.Sales), await scopes.ForAsync(User("u-sales", Roles.CampaignManager), default));
        Assert.Equal(DepartmentScope.Everything, await scopes.ForAsync(User("u-sales", Roles.Administrator), default));
        Assert.Equal(DepartmentScope.Of(null), await scopes.ForAsync(User("nobody", Roles.CampaignManager), default));
    }
}
