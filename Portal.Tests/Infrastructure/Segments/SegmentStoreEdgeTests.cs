using Portal.Domain.Segments;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Segments;

/// <summary>Issue 21 (coverage): system callers' overloads of the segment store, and deleting beside a segment whose rule no longer parses.</summary>
public class SegmentStoreEdgeTests
{
    private static readonly DateTime Reference = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    private static SegmentRule Women() =>
        SegmentRuleJson.Parse("""{"version":1,"root":{"type":"group","logic":"and","children":[{"type":"condition","criterion":"gender","operator":"equals","value":"Female"}]}}""");

    [Fact]
    public async Task FindAndOptions_SeeEveryDepartment_AndABrokenRuleDoesNotBlockADelete()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var audience = new SegmentAudience(database.Factory, TimeProvider.System);
        var store = new SegmentStore(database.Factory, audience, TimeProvider.System);
        var (women, _) = await store.SaveAsync(null, "Women", Women(), departmentId: null, "tester", default);
        await using (var db = database.CreateContext())
        {
            db.Segments.Add(new Segment("Legacy", null, "{broken", "tester", Reference));
            await db.SaveChangesAsync();
        }

        Assert.Equal("Women", (await store.FindAsync(women, default))!.Name);
        Assert.Null(await store.FindAsync(9999, default));
        var options = await store.OptionsAsync(default);
        Assert.Equal(["Legacy", "Women"], options.Segments.Select(s => s.Name).Order());

        await store.DeleteAsync(women, default);
        Assert.Null(await store.FindAsync(women, default));
        Assert.NotNull((await store.OptionsAsync(default)).Segments.SingleOrDefault(s => s.Name == "Legacy"));
    }
}
