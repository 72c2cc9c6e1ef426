using System.Text.Json.Nodes;
using Portal.Domain.Common;
using Portal.Domain.Segments;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;
using Portal.Infrastructure.Segments;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Segments;

public class SegmentStoreAndListsTests
{
    private static readonly DateTime Reference = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static async Task<TestDatabase> SeededAsync(DatabaseProvider provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();
        await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(0, 200, Reference), null, default);
        return database;
    }

    private static SegmentRule InList(int listId) => new()
    {
        Root = new RuleGroup
        {
            Children = [new RuleCondition { Criterion = Criteria.StaticList, Operator = RuleOperator.In, Value = new JsonArray(listId) }],
        },
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task StaticList_FromAFileOfPhones_MatchesClients_AndReportsTheRest(DatabaseProvider provider)
    {
        await using var database = await SeededAsync(provider);
        var path = Path.GetTempFileName();
        var lines = new List<string> { "Телефон" };
        lines.AddRange(Enumerable.Range(0, 50).Select(i => "8" + DemoClientGenerator.PhoneFor(i)[2..]));
        lines.Add("+79990000000");   // valid, but nobody's
        lines.Add("not a phone");
        lines.Add(DemoClientGenerator.PhoneFor(3)); // a repeat
        await File.WriteAllLinesAsync(path, lines);
        var lists = new StaticListImport(database.Factory, TimeProvider.System);
        var result = await lists.CreateAsync("Call-centre callbacks", path, "callbacks.csv", StaticListKey.Phone, null, "tester", default);
        File.Delete(path);

        Assert.Equal((53, 50), (result.Rows, result.Members));
        Assert.Contains(result.Unmatched, u => u.Row == 52);
        Assert.Contains(result.Unmatched, u => u.Row == 53);
        Assert.DoesNotContain(result.Unmatched, u => u.Row <= 51);
        Assert.Equal(50, (await lists.ListAsync(default)).Single(l => l.Id == result.ListId).MemberCount);

        var audience = new SegmentAudience(database.Factory, TimeProvider.System);
        var inList = await audience.CountAsync(InList(result.ListId), null, default);
        var optedOutInList = Enumerable.Range(0, 50).Count(i => DemoClientGenerator.Create(i, Reference) is { OptedOutAt: not null } or { Status: not Portal.Domain.Clients.ClientStatus.Active });
        Assert.InRange(inList, 50 - optedOutInList, 50);
        Assert.True(inList > 0);

        await lists.DeleteAsync(result.ListId, default);
        Assert.DoesNotContain(await lists.ListAsync(default), l => l.Id == result.ListId);
    }

    [Fact]
    public async Task SavedSegments_Version_AndAreProtectedWhileReferenced()
    {
        await using var database = await SeededAsync(DatabaseProvider.Sqlite);
        var audience = new SegmentAudience(database.Factory, TimeProvider.System);
        var store = new SegmentStore(database.Factory, audience, TimeProvider.System);

        var women = new SegmentRule
        {
            Root = new RuleGroup { Children = [new RuleCondition { Criterion = Criteria.Gender, Operator = RuleOperator.Equals, Value = JsonValue.Create("Female") }] },
        };
        var (id, version) = await store.SaveAsync(null, "Women", women, null, "tester", default);
        Assert.Equal(1, version);
        var (sameId, unchanged) = await store.SaveAsync(id, "Women (renamed)", women, null, "tester", default);
        Assert.Equal((id, 1), (sameId, unchanged));
        women.Root.Not = true;
        Assert.Equal(2, (await store.SaveAsync(id, "Not women", women, null, "tester", default)).Version);

        var referring = new SegmentRule
        {
            Root = new RuleGroup { Children = [new RuleCondition { Criterion = Criteria.Segment, Operator = RuleOperator.In, Value = new JsonArray(id) }] },
        };
        var (referringId, _) = await store.SaveAsync(null, "Uses it", referring, null, "tester", default);
        var refused = await Assert.ThrowsAsync<DomainException>(() => store.DeleteAsync(id, default));
        Assert.Contains("Uses it", refused.Message);

        await store.DeleteAsync(referringId, default);
        await store.DeleteAsync(id, default);
        Assert.Empty(await store.ListAsync(default));
    }
}
