using Portal.Domain.Segments;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;
using Portal.Infrastructure.Segments;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Segments;

/// <summary>
/// Issue 21 (coverage): "why is this client in or out" names each exclusion on a line of its own:
/// an excluded saved segment (by name) and the excluded static lists.
/// </summary>
public class ExplainExclusionsTests
{
    private static readonly DateTime Reference = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    private static SegmentRule ById(string externalId) =>
        SegmentRuleJson.Parse($$$"""{"version":1,"root":{"type":"group","logic":"and","children":[{"type":"condition","criterion":"externalId","operator":"equals","value":"{{{externalId}}}"}]}}""");

    [Fact]
    public async Task Explain_AClientInAnExcludedSegmentAndList_IsOut_WithALinePerExclusion()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var seed = database.CreateContext())
        {
            await DemoClientWriter.WriteAsync(seed, DemoClientGenerator.Generate(0, 30, Reference), null, default);
        }
        var index = Enumerable.Range(0, 30).First(i => DemoClientGenerator.Create(i, Reference) is { OptedOutAt: null, Status: Portal.Domain.Clients.ClientStatus.Active });
        var target = DemoClientGenerator.Create(index, Reference);
        var other = DemoClientGenerator.Create(index == 0 ? 1 : 0, Reference);
        var audience = new SegmentAudience(database.Factory, TimeProvider.System);
        var store = new SegmentStore(database.Factory, audience, TimeProvider.System);
        var (vips, _) = await store.SaveAsync(null, "VIPs", ById(target.ExternalId!), null, "tester", default);
        var path = Path.GetTempFileName();
        await File.WriteAllLinesAsync(path, ["phone", target.Phone]);
        var list = await new StaticListImport(database.Factory, TimeProvider.System).CreateAsync("Do not call", path, "dnc.csv", StaticListKey.Phone, null, "tester", default);
        File.Delete(path);

        var rule = ById(target.ExternalId!);
        var plain = await audience.ExplainAsync(rule, null, target.Phone, seesPersonalData: true, default);
        Assert.True(plain.InAudience);

        rule.ExcludeSegments.Add(vips);
        rule.ExcludeLists.Add(list.ListId);
        var excluded = await audience.ExplainAsync(rule, null, target.ExternalId!, seesPersonalData: true, default);
        Assert.True(excluded.Found);
        Assert.False(excluded.InAudience);
        Assert.Equal(["root", "root.children[0]", "excludeSegments", "excludeLists", "sendable"], excluded.Lines.Select(l => l.Path));
        Assert.Equal(["not in excluded segment 'VIPs'", "not on an excluded static list", "has not opted out"], excluded.Lines.Skip(2).Select(l => l.Text));
        Assert.Equal([true, true, false, false, true], excluded.Lines.Select(l => l.Holds));
        Assert.Equal($"{target.Phone} ({target.ExternalId})", excluded.ClientLabel);

        // Another client of the same rule shape: neither exclusion holds against them.
        var otherRule = ById(other.ExternalId!);
        otherRule.ExcludeSegments.Add(vips);
        otherRule.ExcludeLists.Add(list.ListId);
        var free = await audience.ExplainAsync(otherRule, null, other.ExternalId!, seesPersonalData: true, default);
        Assert.Equal([true, true], free.Lines.Where(l => l.Path.StartsWith("exclude", StringComparison.Ordinal)).Select(l => l.Holds));
    }
}
