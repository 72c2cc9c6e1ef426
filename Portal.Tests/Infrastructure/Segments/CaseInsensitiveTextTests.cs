using Microsoft.EntityFrameworkCore;
using Portal.Domain.Segments;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;

namespace Portal.Tests.Infrastructure.Segments;

/// <summary>
/// "Contains" and "starts with" ignore case, Cyrillic included, with the same clients on SQLite
/// (whose own lower() folds ASCII only) and PostgreSQL.
/// </summary>
public sealed class CaseInsensitiveTextTests(AudienceData data) : IClassFixture<AudienceData>
{
    public static TheoryData<string, string, string> Cases => new()
    {
        // criterion, operator, the same value in three spellings separated by |
        { "city", "contains", "ОВО|ово|оВо" },
        { "city", "startsWith", "НОВ|нов|Нов" },
        { "city", "startsWith", "САНКТ-|санкт-|Санкт-" },
        { "tariff", "contains", "ЕМИУ|емиу|ЕмИу" },
        { "tariff", "startsWith", "биз|БИЗ|Биз" },
        { "externalId", "startsWith", "DEMO-|demo-|Demo-" },
    };

    private async Task<List<long>> IdsAsync(DatabaseProvider provider, string json)
    {
        var audience = new SegmentAudience(data.For(provider).Factory, new FixedClock(AudienceData.Reference));
        await using var db = data.For(provider).CreateContext();
        var query = await audience.QueryAsync(db, SegmentRuleJson.Parse(AudienceData.Rule(json)), null, default);
        return await query.OrderBy(c => c.Id).Select(c => c.Id).ToListAsync();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ContainsAndStartsWith_IgnoreCase_AlikeOnBothProviders(string criterion, string op, string spellings)
    {
        await using var db = data.Sqlite.CreateContext();
        var clients = await db.Clients.AsNoTracking().Where(c => c.OptedOutAt == null)
            .Select(c => new { c.Id, c.City, c.Tariff, c.ExternalId }).OrderBy(c => c.Id).ToListAsync();
        List<long>? first = null;
        foreach (var value in spellings.Split('|'))
        {
            var json = $$"""{"type":"condition","criterion":"{{criterion}}","operator":"{{op}}","value":"{{value}}"}""";
            var sqlite = await IdsAsync(DatabaseProvider.Sqlite, json);
            var postgres = await IdsAsync(DatabaseProvider.Postgres, json);
            Assert.Equal(sqlite, postgres);
            first ??= sqlite;
            Assert.Equal(first, sqlite);
            var expected = clients.Where(c =>
            {
                var text = (criterion switch { "city" => c.City, "tariff" => c.Tariff, _ => c.ExternalId })?.ToLowerInvariant();
                var wanted = value.ToLowerInvariant();
                return text is not null && (op == "contains" ? text.Contains(wanted, StringComparison.Ordinal) : text.StartsWith(wanted, StringComparison.Ordinal));
            }).Select(c => c.Id).ToList();
            Assert.Equal(expected, sqlite);
        }
        Assert.InRange(first!.Count, 1, AudienceData.Clients - 1);
    }

    [Fact]
    public async Task TextAttribute_Contains_IgnoresCase()
    {
        var upper = await IdsAsync(DatabaseProvider.Postgres, """{"type":"condition","criterion":"attribute","key":"contract_type","operator":"contains","value":"PREPA"}""");
        var lower = await IdsAsync(DatabaseProvider.Sqlite, """{"type":"condition","criterion":"attribute","key":"contract_type","operator":"contains","value":"prepa"}""");
        Assert.NotEmpty(upper);
        Assert.Equal(upper, lower);
        Assert.Equal(upper, await IdsAsync(DatabaseProvider.Sqlite, """{"type":"condition","criterion":"attribute","key":"contract_type","operator":"contains","value":"PrEpA"}"""));
    }
}
