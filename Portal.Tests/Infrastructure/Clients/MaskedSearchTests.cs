using Portal.Domain.Segments;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;
using Portal.Infrastructure.Segments;
using Portal.Tests.Support;
using System.Text.Json.Nodes;

namespace Portal.Tests.Infrastructure.Clients;

/// <summary>
/// Issue 14: a role without personal data cannot recover masked digits or letters through the
/// clients search, its sort, or an audience's phone condition (live count, sample, save) —
/// "a Trainer found a client's full masked phone in 20 prefix searches". Both databases.
/// </summary>
public class MaskedSearchTests
{
    private static readonly DateTime Reference = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static async Task<TestDatabase> SeededAsync(DatabaseProvider provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();
        await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(0, 500, Reference), null, default);
        return database;
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task MaskedReader_PhonePrefixAndNamePrefixSearches_AreRefused_FullNumberAndExternalIdFindOneMaskedRow(DatabaseProvider provider)
    {
        await using var database = await SeededAsync(provider);
        var directory = new ClientDirectory(database.Factory, TimeProvider.System);
        var target = DemoClientGenerator.Create(123, Reference);

        // The attack: grow a prefix digit by digit. Every prefix shorter than the number is refused.
        for (var length = 5; length < target.Phone.Length; length++)
        {
            var page = await directory.PageAsync(target.Phone[..length], ClientSort.Id, false, 0, 25, seesPersonalData: false, default);
            Assert.True(page.SearchRefused, target.Phone[..length]);
            Assert.Empty(page.Rows);
        }
        var byName = await directory.PageAsync(target.LastName![..3], ClientSort.Id, false, 0, 25, seesPersonalData: false, default);
        Assert.True(byName.SearchRefused);
        Assert.Empty(byName.Rows);

        var full = await directory.PageAsync("8" + target.Phone[2..], ClientSort.Id, false, 0, 25, seesPersonalData: false, default);
        var row = Assert.Single(full.Rows);
        Assert.Equal(target.ExternalId, row.ExternalId);
        Assert.DoesNotContain(target.Phone[5..^2], row.Phone);
        var byId = await directory.PageAsync(target.ExternalId, ClientSort.Id, false, 0, 25, seesPersonalData: false, default);
        Assert.Equal(target.ExternalId, Assert.Single(byId.Rows).ExternalId);
        // A reader with the permission still searches by prefix.
        Assert.NotEmpty((await directory.PageAsync(target.Phone[..8], ClientSort.Id, false, 0, 25, seesPersonalData: true, default)).Rows);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task MaskedReader_SortByLastName_FallsBackToId(DatabaseProvider provider)
    {
        await using var database = await SeededAsync(provider);
        var directory = new ClientDirectory(database.Factory, TimeProvider.System);

        var masked = await directory.PageAsync(null, ClientSort.LastName, false, 0, 50, seesPersonalData: false, default);

        Assert.Equal(masked.Rows.Select(r => r.Id).Order(), masked.Rows.Select(r => r.Id));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task MaskedReader_PhoneCondition_IsRefusedForCountSampleAndSave_AllowedWithThePermission(DatabaseProvider provider)
    {
        await using var database = await SeededAsync(provider);
        var audience = new SegmentAudience(database.Factory, TimeProvider.System);
        var store = new SegmentStore(database.Factory, audience, TimeProvider.System);
        var target = DemoClientGenerator.Create(123, Reference);
        var rule = new SegmentRule
        {
            Root = new RuleGroup
            {
                Children = [new RuleGroup { Children = [new RuleCondition { Criterion = Criteria.PhonePrefix, Operator = RuleOperator.StartsWith, Value = JsonValue.Create(target.Phone[..10]) }] }],
            },
        };

        var count = await Assert.ThrowsAsync<SegmentRuleException>(() => audience.CountAsync(rule, null, seesPersonalData: false, default));
        await Assert.ThrowsAsync<SegmentRuleException>(() => audience.SampleAsync(rule, null, seesPersonalData: false, default));
        await Assert.ThrowsAsync<SegmentRuleException>(() => store.SaveAsync(Portal.Domain.Access.DepartmentScope.Of(null), false, null, "probe", rule, "analyst", default));

        Assert.Equal(SegmentRuleAccess.PhoneCriterionRefused, Assert.Single(count.Errors).Message);
        Assert.True(await audience.CountAsync(rule, null, seesPersonalData: true, default) >= 1);
    }
}
