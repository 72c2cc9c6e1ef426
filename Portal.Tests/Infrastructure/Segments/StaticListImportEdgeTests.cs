using System.Text.Json.Nodes;
using Portal.Domain.Common;
using Portal.Domain.Segments;
using Portal.Infrastructure.Seeding;
using Portal.Infrastructure.Segments;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Segments;

/// <summary>
/// Issue 21 (coverage): static list uploads at their edges (empty cells, files longer than one
/// staging batch, files without a recognised column) and deleting a list a segment still uses.
/// </summary>
public class StaticListImportEdgeTests
{
    private static readonly DateTime Reference = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    private static async Task<TestDatabase> SeededAsync(int clients)
    {
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var db = database.CreateContext();
        await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(0, clients, Reference), null, default);
        return database;
    }

    private static async Task<StaticListUploadResult> UploadAsync(TestDatabase database, IEnumerable<string> lines, StaticListKey key = StaticListKey.Phone)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(path, lines);
            return await new StaticListImport(database.Factory, TimeProvider.System).CreateAsync("List", path, "list.csv", key, null, "tester", default);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task OneUnnamedColumn_IsTakenAsThePhones_EvenPastOneStagingBatch()
    {
        await using var database = await SeededAsync(10);
        // More rows than one staging batch (400), so the stage is written more than once.
        var lines = new List<string> { "numbers" };
        lines.AddRange(Enumerable.Range(0, 450).Select(i => DemoClientGenerator.PhoneFor(i % 10)));
        var result = await UploadAsync(database, lines);

        Assert.Equal((450, 10), (result.Rows, result.Members));
        Assert.Empty(result.Unmatched);
    }

    [Fact]
    public async Task SeveralColumns_NoneNamedLikeAPhone_AreRefusedInWords()
    {
        await using var database = await SeededAsync(1);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => UploadAsync(database, ["name,city", "Анна,Москва"]));
        Assert.Equal("No phone column: name it 'phone' (or 'телефон', 'msisdn'), or upload a file with one column.", error.Message);
        var byId = await Assert.ThrowsAsync<InvalidDataException>(() => UploadAsync(database, ["name,city", "Анна,Москва"], StaticListKey.ExternalId));
        Assert.Equal("No external id column: name it 'external_id' (or 'client_id', 'crm_id'), or upload a file with one column.", byId.Message);
    }

    [Fact]
    public async Task OnlyEmptyOrBadRows_MakeAnEmptyList()
    {
        await using var database = await SeededAsync(1);
        var result = await UploadAsync(database, ["name,phone", "Анна,", "Олег,12"]);
        Assert.Equal((2, 0), (result.Rows, result.Members));
        Assert.Equal([new UnmatchedRow(2, "empty"), new UnmatchedRow(3, "not a phone number")], result.Unmatched);
    }

    [Fact]
    public async Task Delete_AListASegmentUses_IsRefusedNamingTheSegments_AndABrokenSegmentDoesNotBlockOthers()
    {
        await using var database = await SeededAsync(5);
        var list = await UploadAsync(database, ["phone", DemoClientGenerator.PhoneFor(1)]);
        var other = await UploadAsync(database, ["phone", DemoClientGenerator.PhoneFor(2)]);
        var inList = new SegmentRule
        {
            Root = new RuleGroup { Children = [new RuleCondition { Criterion = Criteria.StaticList, Operator = RuleOperator.In, Value = new JsonArray(list.ListId) }] },
        };
        var excluding = new SegmentRule { Root = new RuleGroup(), ExcludeLists = [list.ListId] };
        await using (var db = database.CreateContext())
        {
            db.Segments.Add(new Segment("Callbacks", null, SegmentRuleJson.Serialize(inList), "tester", Reference));
            db.Segments.Add(new Segment("Not callbacks", null, SegmentRuleJson.Serialize(excluding), "tester", Reference));
            db.Segments.Add(new Segment("Broken", null, "{not json", "tester", Reference));
            await db.SaveChangesAsync();
        }
        var lists = new StaticListImport(database.Factory, TimeProvider.System);

        var error = await Assert.ThrowsAsync<DomainException>(() => lists.DeleteAsync(list.ListId, default));
        Assert.StartsWith("Segments use this list: ", error.Message);
        Assert.Equal(["Callbacks", "Not callbacks"], error.Message["Segments use this list: ".Length..].TrimEnd('.').Split(", ").Order());
        Assert.Contains(await lists.ListAsync(default), l => l.Id == list.ListId);

        await lists.DeleteAsync(other.ListId, default);
        Assert.DoesNotContain(await lists.ListAsync(default), l => l.Id == other.ListId);
    }
}
