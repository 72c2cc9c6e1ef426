using Portal.Domain.Common;
using Portal.Domain.Imports;
using Portal.Domain.Integrations;

namespace Portal.Tests.Domain.Integrations;

/// <summary>Issue 21 (coverage): the guards of API keys, sync sources and their column mappings, with the texts an administrator reads.</summary>
public class IntegrationRulesTests
{
    private static readonly DateTime At = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);
    private static readonly string Hash = new('0', 64);

    private static ApiKey Key(params string[] scopes) => new(" CRM ", "crm00001", Hash, scopes, 100, "admin", At);

    private static string Refusal(Action action) => Assert.Throws<DomainException>(action).Message;

    // API keys.

    [Fact]
    public void ApiKey_New_KeepsItsScopesOnce_AndTrimsTheName()
    {
        var key = Key(ApiScopes.ClientsWrite, ApiScopes.EventsWrite, ApiScopes.ClientsWrite);
        Assert.Equal(("CRM", "crm00001", "clients:write events:write", 100, "admin", At), (key.Name, key.Prefix, key.Scopes, key.RequestsPerMinute, key.CreatedBy, key.CreatedAt));
        Assert.True(key.Allows(ApiScopes.EventsWrite));
        Assert.False(key.Allows(ApiScopes.MessagesSend));
        Assert.False(key.Allows("clients"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void ApiKey_New_WithoutAName_IsRefused(string name) =>
        Assert.Equal("A key's name is 1 to 100 characters.", Refusal(() => new ApiKey(name, "p", Hash, [ApiScopes.ClientsWrite], 1, "a", At)));

    [Fact]
    public void ApiKey_New_NameOf101Characters_IsRefused()
    {
        Assert.Throws<DomainException>(() => new ApiKey(new string('n', 101), "p", Hash, [ApiScopes.ClientsWrite], 1, "a", At));
        Assert.Equal(100, new ApiKey(new string('n', 100), "p", Hash, [ApiScopes.ClientsWrite], 1, "a", At).Name.Length);
    }

    [Fact]
    public void ApiKey_New_WithoutAKnownScope_IsRefused()
    {
        Assert.Equal("Choose at least one known scope.", Refusal(() => new ApiKey("k", "p", Hash, [], 1, "a", At)));
        Assert.Equal("Choose at least one known scope.", Refusal(() => new ApiKey("k", "p", Hash, [ApiScopes.ClientsWrite, "admin:all"], 1, "a", At)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_001)]
    public void ApiKey_RateLimitOutOfBounds_IsRefused_AtCreationAndLater(int perMinute)
    {
        Assert.Equal("The rate limit is 1 to 100,000 requests per minute.",
            Refusal(() => new ApiKey("k", "p", Hash, [ApiScopes.ClientsWrite], perMinute, "a", At)));
        var key = Key(ApiScopes.ClientsWrite);
        Assert.Equal("The rate limit is 1 to 100,000 requests per minute.", Refusal(() => key.SetRateLimit(perMinute)));
        Assert.Equal(100, key.RequestsPerMinute);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100_000)]
    public void ApiKey_SetRateLimit_AtItsBounds(int perMinute)
    {
        var key = Key(ApiScopes.ClientsWrite);
        key.SetRateLimit(perMinute);
        Assert.Equal(perMinute, key.RequestsPerMinute);
    }

    [Fact]
    public void ApiKey_Revoked_AllowsNothing_AndKeepsTheFirstRevocation()
    {
        var key = Key(ApiScopes.ClientsWrite);
        key.Revoke(At.AddDays(1));
        key.Revoke(At.AddDays(2));
        Assert.Equal(At.AddDays(1), key.RevokedAt);
        Assert.False(key.Allows(ApiScopes.ClientsWrite));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_000_001)]
    public void ApiKey_DailyQuotaOutOfBounds_IsRefused(int quota)
    {
        var key = Key(ApiScopes.MessagesSend);
        Assert.Equal("The daily quota is 1 to 100,000,000 messages, or none.", Refusal(() => key.ConfigureMessaging(quota, null, null)));
        Assert.Null(key.DailyQuota);
    }

    [Fact]
    public void ApiKey_CallbackWithoutASecret_IsRefused()
    {
        var key = Key(ApiScopes.MessagesSend);
        Assert.Equal("A callback URL needs a signing secret.", Refusal(() => key.ConfigureMessaging(10, "https://crm.example/cb", "")));
        Assert.Equal("The callback URL must be an absolute http(s) URL of at most 500 characters.",
            Refusal(() => key.ConfigureMessaging(10, "ftp://crm.example/cb", "s")));
        Assert.Null(key.CallbackUrl);
    }

    [Fact]
    public void ApiKey_ConfigureMessaging_KeepsTheSecretOnlyWithACallback()
    {
        var key = Key(ApiScopes.MessagesSend);
        key.ConfigureMessaging(100_000_000, "https://crm.example/cb", "protected");
        Assert.Equal((100_000_000, "https://crm.example/cb", "protected"), (key.DailyQuota, key.CallbackUrl, key.CallbackSecret));
        key.ConfigureMessaging(null, null, "protected");
        Assert.Equal((null, null, null), (key.DailyQuota, key.CallbackUrl, key.CallbackSecret));
    }

    // Sync sources.

    private static SyncSource Source(string name = " CRM ") =>
        new(name, SyncSourceKind.Postgres, SyncTarget.Clients, "Host=crm", "select *", "updated_at", "0 */5 * * * ?", """{"id":"ExternalId","msisdn":"Phone"}""");

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void SyncSource_WithoutAName_IsRefused_AtCreationAndOnRename(string name)
    {
        Assert.Equal("A source's name is 1 to 100 characters.", Refusal(() => Source(name)));
        var source = Source();
        Assert.Equal("A source's name is 1 to 100 characters.", Refusal(() => source.Rename(name)));
        Assert.Equal("CRM", source.Name);
    }

    [Fact]
    public void SyncSource_NameOf101Characters_IsRefused_ButSpacesAroundDoNotCount()
    {
        Assert.Throws<DomainException>(() => Source(new string('s', 101)));
        var source = Source();
        Assert.Throws<DomainException>(() => source.Rename(new string('s', 101)));
        source.Rename($" {new string('s', 100)} ");
        Assert.Equal(new string('s', 100), source.Name);
    }

    [Fact]
    public void SyncSource_New_HoldsWhatItWasGiven_WithTheDefaultOverlap()
    {
        var source = Source();
        Assert.Equal(("CRM", SyncSourceKind.Postgres, SyncTarget.Clients, "Host=crm", "select *", "updated_at", "0 */5 * * * ?"),
            (source.Name, source.Kind, source.Target, source.Location, source.Query, source.WatermarkColumn, source.Cron));
        Assert.Equal((SyncSource.DefaultOverlapMinutes, true, null), (source.OverlapMinutes, source.Enabled, source.Watermark));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(SyncSource.MaxOverlapMinutes + 1)]
    public void SyncSource_OverlapOutOfBounds_IsRefused(int minutes)
    {
        var source = Source();
        Assert.Equal("The overlap is 0 to 1440 minutes.", Refusal(() => source.SetOverlap(minutes)));
        Assert.Equal(SyncSource.DefaultOverlapMinutes, source.OverlapMinutes);
        source.SetOverlap(SyncSource.MaxOverlapMinutes);
        Assert.Equal(1440, source.OverlapMinutes);
    }

    // Mappings.

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("""{"id": 5}""")]
    public void Mapping_NotAnObjectOfNames_IsRefused(string json) =>
        Assert.Equal("The mapping is not a JSON object of column → field names.", Refusal(() => SyncMapping.Parse(json, SyncTarget.Clients)));

    [Fact]
    public void Mapping_AColumnWithoutAName_IsRefused() =>
        Assert.Equal("A mapped source column has no name.", Refusal(() => SyncMapping.Parse("""{" ":"Phone","id":"ExternalId"}""", SyncTarget.Clients)));

    [Theory]
    [InlineData(SyncTarget.Clients, "Amount", "'Amount' is not a client field.")]
    [InlineData(SyncTarget.Employees, "Amount", "'Amount' is not an employee field.")]
    [InlineData(SyncTarget.Events, "Balance", "'Balance' is not an event field.")]
    [InlineData(SyncTarget.Clients, "phone", "'phone' is not a client field.")]
    public void Mapping_AFieldOfAnotherTarget_IsRefusedNamingTheTarget(SyncTarget target, string field, string expected) =>
        Assert.Equal(expected, Refusal(() => SyncMapping.Parse($$"""{"x":"{{field}}"}""", target)));

    [Fact]
    public void Mapping_AFieldMappedTwice_IsRefused()
    {
        Assert.Equal("The field Phone is mapped twice.",
            Refusal(() => SyncMapping.Parse("""{"a":"Phone","b":"Phone","id":"ExternalId"}""", SyncTarget.Clients)));
        Assert.Equal("The field attr:vip is mapped twice.",
            Refusal(() => SyncMapping.Parse("""{"a":"attr:vip","b":"attr:vip","p":"Phone","id":"ExternalId"}""", SyncTarget.Clients)));
    }

    [Fact]
    public void Mapping_Events_NeedTheirRequiredFields_AndFindTheirColumns()
    {
        Assert.Equal("Map a source column to OccurredAt.",
            Refusal(() => SyncMapping.Parse("""{"client":"ExternalId","kind":"Type"}""", SyncTarget.Events)));
        var mapping = SyncMapping.Parse("""{"client":"ExternalId","kind":"Type","at":"OccurredAt"}""", SyncTarget.Events);
        Assert.Equal(["client", "kind", "at"], mapping.Columns);
        Assert.Equal(2, mapping.IndexOf(EventField.OccurredAt));
        Assert.Null(mapping.IndexOf(EventField.Amount));
    }

    [Fact]
    public void Mapping_Clients_WithAttributes_AlignsFieldsAndAttributeColumns()
    {
        var mapping = SyncMapping.Parse("""{" id ":"ExternalId","vip":"attr: vip ","msisdn":"Phone"}""", SyncTarget.Clients);
        Assert.Equal(["id", "vip", "msisdn"], mapping.Columns);
        Assert.Equal([ClientField.ExternalId, null, ClientField.Phone], mapping.ClientFields());
        Assert.Equal(new Dictionary<int, string> { [1] = "vip" }, mapping.AttributeColumns());
        Assert.Equal("'attr:' is not a client field.", Refusal(() => SyncMapping.Parse("""{"v":"attr:","id":"ExternalId","p":"Phone"}""", SyncTarget.Clients)));
    }

    [Fact]
    public void ToJson_AColumnMappedTwice_IsRefused_ElseWritesTheObject()
    {
        Assert.Equal("The column 'a' is mapped twice.", Refusal(() => SyncMapping.ToJson([("a", "Phone"), (" a ", "ExternalId")])));
        Assert.Equal("""{"a":"Phone","b":"ExternalId"}""", SyncMapping.ToJson([(" a", "Phone"), ("b", "ExternalId")]));
    }
}
