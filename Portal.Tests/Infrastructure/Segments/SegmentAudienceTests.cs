using Microsoft.EntityFrameworkCore;
using Portal.Domain.Clients;
using Portal.Domain.Segments;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Infrastructure.Segments.Benchmarks;

namespace Portal.Tests.Infrastructure.Segments;

/// <summary>
/// Every criterion and operator on SQLite and PostgreSQL over the same seeded data: the same
/// clients on both, one SQL statement each, and (for criteria on the client row) the same
/// clients as LINQ to objects evaluating the very same expression in memory.
/// </summary>
public sealed class SegmentAudienceTests(AudienceData data) : IClassFixture<AudienceData>
{
    private static readonly DatabaseProvider[] Providers = [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];
    private static List<Client>? _clients;

    private SegmentRule RuleOf(string condition) => SegmentRuleJson.Parse(AudienceData.Rule(Placeholders(condition)));

    private string Placeholders(string json) => json
        .Replace("{campaign}", data.CampaignId.ToString()).Replace("{list}", data.ListId.ToString()).Replace("{gold}", data.GoldSegmentId.ToString());

    private SegmentAudience Audience(DatabaseProvider provider) => new(data.For(provider).Factory, new FixedClock(AudienceData.Reference));

    /// <returns>The matching client ids and the SQL commands the query ran.</returns>
    private async Task<(List<long> Ids, List<string> Commands)> IdsAsync(DatabaseProvider provider, SegmentRule rule)
    {
        var counter = new CommandCounter();
        await using var db = AudienceData.Counted(data.For(provider), counter);
        var query = await Audience(provider).QueryAsync(db, rule, null, default);
        counter.Commands.Clear();
        var ids = await query.OrderBy(c => c.Id).Select(c => c.Id).ToListAsync();
        return (ids, counter.Commands.ToList());
    }

    private async Task<List<long>> OracleAsync(SegmentRule rule)
    {
        if (_clients is null)
        {
            await using var db = data.Sqlite.CreateContext();
            _clients = await db.Clients.AsNoTracking().OrderBy(c => c.Id).ToListAsync();
        }
        var predicate = new SegmentCompiler(new SegmentContext(AudienceData.Reference, SegmentSources.Empty)).Compile(rule).Compile();
        return _clients.Where(predicate).Select(c => c.Id).ToList();
    }

    [Theory]
    [MemberData(nameof(AudienceCases.Names), MemberType = typeof(AudienceCases))]
    public async Task Criterion_SelectsTheSameClients_OnBothProviders_InOneStatement(string name)
    {
        var @case = AudienceCases.Find(name);
        var rule = RuleOf(@case.Condition);
        var answers = new List<List<long>>();
        foreach (var provider in Providers)
        {
            var (ids, commands) = await IdsAsync(provider, rule);
            Assert.True(commands.Count == 1, $"{provider}: {commands.Count} commands\n{string.Join("\n---\n", commands)}");
            answers.Add(ids);
        }
        Assert.Equal(answers[0], answers[1]);
        Assert.InRange(answers[0].Count, 0, AudienceData.Clients);
        if (@case.Columns)
        {
            Assert.Equal(await OracleAsync(rule), answers[0]);
        }
    }

    [Fact]
    public void EveryCriterionAndOperator_HasACase()
    {
        var missing = Criteria.All
            .SelectMany(c => c.Id == Criteria.Attribute
                ? Enum.GetValues<AttributeType>().SelectMany(t => Criteria.ForAttribute(t).Operators).Distinct().Select(o => (c.Id, o))
                : c.Operators.Select(o => (c.Id, o)))
            .Where(x => !AudienceCases.All.Any(k => k.Criterion == x.Item1 && k.Operator == SegmentRuleJson.Options.PropertyNamingPolicy!.ConvertName(x.Item2.ToString())))
            .Select(x => $"{x.Item1} {x.Item2}").ToList();
        Assert.True(missing.Count == 0, "no test case for: " + string.Join(", ", missing));
        Assert.True(Criteria.All.Count >= 25);
    }

    [Fact]
    public async Task SelectiveCases_AreNotTrivial()
    {
        // Guards the data set itself: these must select some clients but not all of them.
        foreach (var name in new[] { "age between [25,40]", "tag in [\"vip\"]", "event has ,\"key\":\"Purchase\",\"days\":90", "birthday withinNextDays 45",
                     "receivedCampaign has ,\"campaignId\":{campaign}", "staticList in [{list}]", "segment in [{gold}]", "averagePurchase between [1000,2000]" })
        {
            var (ids, _) = await IdsAsync(DatabaseProvider.Postgres, RuleOf(AudienceCases.Find(name).Condition));
            Assert.True(ids.Count is > 0 and < AudienceData.Clients, $"{name}: {ids.Count}");
        }
    }

    [Fact]
    public async Task NestedGroups_WithNot_MatchTheOracle_OnBothProviders()
    {
        var rule = SegmentRuleJson.Parse("""
            {"version":1,"root":{"type":"group","logic":"and","children":[
              {"type":"condition","criterion":"age","operator":"between","value":[25,50]},
              {"type":"group","logic":"or","children":[
                {"type":"condition","criterion":"region","operator":"in","value":["MOW","SPE"]},
                {"type":"group","logic":"and","not":true,"children":[
                  {"type":"condition","criterion":"loyaltyTier","operator":"lessThan","value":"Gold"},
                  {"type":"group","logic":"or","children":[
                    {"type":"condition","criterion":"totalSpend","operator":"lessThan","value":20000},
                    {"type":"condition","criterion":"lastActivityAt","operator":"moreThanDaysAgo","value":60}]}]}]},
              {"type":"condition","criterion":"advertisingConsent","operator":"equals","value":true}]}}
            """);
        var expected = await OracleAsync(rule);
        Assert.NotEmpty(expected);
        foreach (var provider in Providers)
        {
            var (ids, commands) = await IdsAsync(provider, rule);
            Assert.Single(commands);
            Assert.Equal(expected, ids);
        }
    }

    [Fact]
    public async Task TwentyFiveCriteria_Nested_WithExclusions_SameOnBothProviders()
    {
        var rule = BenchmarkRules.TwentyFive(data.CampaignId, data.ListId, data.GoldSegmentId);
        Assert.True(rule.Conditions().Count() >= 25);
        var sqlite = await IdsAsync(DatabaseProvider.Sqlite, rule);
        var postgres = await IdsAsync(DatabaseProvider.Postgres, rule);
        Assert.Single(sqlite.Commands);
        Assert.Single(postgres.Commands);
        Assert.Equal(sqlite.Ids, postgres.Ids);
        Assert.NotEmpty(sqlite.Ids);
    }

    [Fact]
    public async Task CountQuery_OnPostgres_FencesTheSubPlansAboveAParallelScan_SameAnswer()
    {
        var rule = BenchmarkRules.TwentyFive(data.CampaignId, data.ListId, data.GoldSegmentId);
        await using var db = data.Postgres.CreateContext();
        var audience = Audience(DatabaseProvider.Postgres);
        var plain = await (await audience.QueryAsync(db, rule, null, default)).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync();
        var counted = await audience.CountQueryAsync(db, rule, null, default);

        Assert.Equal(plain, await counted.OrderBy(c => c.Id).Select(c => c.Id).ToListAsync());
        Assert.NotEmpty(plain);
        var sql = counted.Select(c => c.Id).ToQueryString();
        // The inner query is the fenced, parallel-safe part; the message-count early exit is outside it.
        var fence = sql.IndexOf("OFFSET @p", StringComparison.Ordinal);
        Assert.True(fence > 0, sql);
        Assert.Contains("OFFSET @skip", sql[fence..]);
    }

    [Theory]
    [MemberData(nameof(AudienceCases.Names), MemberType = typeof(AudienceCases))]
    public async Task CountQuery_EveryCriterion_SameAnswerAsThePlainQuery(string name)
    {
        var rule = RuleOf(AudienceCases.Find(name).Condition);
        await using var db = data.Postgres.CreateContext();
        var audience = Audience(DatabaseProvider.Postgres);
        var plain = await (await audience.QueryAsync(db, rule, null, default)).CountAsync();
        Assert.Equal(plain, await audience.CountAsync(rule, null, default));
    }

    [Fact]
    public async Task Exclusions_LeaveOutSegmentAndListMembers()
    {
        foreach (var provider in Providers)
        {
            var all = (await IdsAsync(provider, SegmentRule.Everyone())).Ids;
            var gold = (await IdsAsync(provider, RuleOf($$"""{"type":"condition","criterion":"segment","operator":"in","value":[{{data.GoldSegmentId}}]}"""))).Ids;
            var listed = (await IdsAsync(provider, RuleOf($$"""{"type":"condition","criterion":"staticList","operator":"in","value":[{{data.ListId}}]}"""))).Ids;
            var rule = new SegmentRule { ExcludeSegments = [data.GoldSegmentId], ExcludeLists = [data.ListId] };
            var (ids, _) = await IdsAsync(provider, rule);
            Assert.Equal(all.Except(gold).Except(listed).ToList(), ids);
            Assert.NotEmpty(gold);
            Assert.NotEmpty(listed);
        }
    }

    [Fact]
    public async Task OptedOutClients_AreNeverInTheAudience()
    {
        foreach (var provider in Providers)
        {
            await using var db = data.For(provider).CreateContext();
            var optedOut = await db.Clients.CountAsync(c => c.OptedOutAt != null);
            Assert.True(optedOut > 0);
            Assert.Equal(AudienceData.Clients - optedOut, await Audience(provider).CountAsync(SegmentRule.Everyone(), null, default));
        }
    }

    [Fact]
    public async Task SegmentCycle_IsRejected_NamingTheSegments()
    {
        var rule = RuleOf($$"""{"type":"condition","criterion":"segment","operator":"in","value":[{{data.CycleSegmentId}}]}""");
        var e = await Assert.ThrowsAsync<SegmentRuleException>(() => Audience(DatabaseProvider.Sqlite).CountAsync(rule, null, default));
        Assert.Contains("circle", e.Message);
        Assert.Contains("'Cycle A'", e.Message);
        Assert.Contains("'Cycle B'", e.Message);
        var self = RuleOf($$"""{"type":"condition","criterion":"segment","operator":"in","value":[{{data.GoldSegmentId}}]}""");
        var selfError = await Assert.ThrowsAsync<SegmentRuleException>(() => Audience(DatabaseProvider.Sqlite).CountAsync(self, data.GoldSegmentId, default));
        Assert.Contains("'Gold and above'", selfError.Message);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Explain_EvaluatesEachConditionForOneClient(DatabaseProvider provider)
    {
        var target = Portal.Infrastructure.Seeding.DemoClientGenerator.Create(99, AudienceData.Reference);
        var rule = SegmentRuleJson.Parse($$$"""
            {"version":1,"root":{"type":"group","logic":"or","children":[
              {"type":"condition","criterion":"region","operator":"equals","value":"{{{target.RegionCode}}}"},
              {"type":"group","logic":"and","not":true,"children":[
                {"type":"condition","criterion":"externalId","operator":"equals","value":"{{{target.ExternalId}}}"}]}]}}
            """);
        var explanation = await Audience(provider).ExplainAsync(rule, null, target.Phone, seesPersonalData: false, default);
        Assert.True(explanation.Found);
        Assert.Equal(target.OptedOutAt is null, explanation.InAudience);
        Assert.Equal(["root", "root.children[0]", "root.children[1]", "root.children[1].children[0]", "sendable"], explanation.Lines.Select(l => l.Path));
        Assert.Equal([true, true, false, true, target.OptedOutAt is null], explanation.Lines.Select(l => l.Holds));
        Assert.DoesNotContain(target.Phone, explanation.ClientLabel);
        var missing = await Audience(provider).ExplainAsync(rule, null, "DEMO-99999999", false, default);
        Assert.False(missing.Found);
    }

    [Fact]
    public async Task Sample_Has20Clients_MaskedForRolesWithoutPersonalData()
    {
        var rule = RuleOf("""{"type":"condition","criterion":"region","operator":"equals","value":"MOW"}""");
        var masked = await Audience(DatabaseProvider.Postgres).SampleAsync(rule, null, false, default);
        var clear = await Audience(DatabaseProvider.Sqlite).SampleAsync(rule, null, true, default);
        Assert.Equal(20, masked.Count);
        Assert.Equal(clear.Select(c => c.Id), masked.Select(c => c.Id));
        Assert.All(clear, c => Assert.Equal("MOW", c.RegionCode));
        Assert.All(masked.Zip(clear), p =>
        {
            Assert.Contains("*****", p.First.Phone);
            Assert.NotEqual(p.Second.Phone, p.First.Phone);
            Assert.NotEqual(p.Second.Name, p.First.Name);
        });
    }
}
