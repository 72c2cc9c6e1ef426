using Portal.Domain.Common;
using Portal.Domain.Imports;
using Portal.Domain.Integrations;

namespace Portal.Tests.Domain.Integrations;

/// <summary>Issue 21 (mutation testing): API keys, sync mappings, sync sources and runs — their bounds, texts and exact results.</summary>
public class IntegrationsTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static string Refused(Action action) => Assert.Throws<DomainException>(action).Message;

    private static ApiKey Key(string name = " CRM ", string[]? scopes = null, int rpm = 600) =>
        new(name, "pk_abc", "hash", scopes ?? [ApiScopes.ClientsWrite, ApiScopes.EventsWrite, ApiScopes.ClientsWrite], rpm, "admin", Now);

    [Fact]
    public void Scopes_AreTheSevenKnown()
    {
        Assert.Equal(["clients:write", "clients:delete", "events:write", "consent:write", "analytics:read", "messages:send", "alerts:write"], ApiScopes.All);
    }

    [Fact]
    public void Key_New_KeepsDistinctScopes()
    {
        var key = Key();
        Assert.Equal(("CRM", "pk_abc", "hash", "clients:write events:write", 600, "admin", Now), (key.Name, key.Prefix, key.SecretHash, key.Scopes, key.RequestsPerMinute, key.CreatedBy, key.CreatedAt));
        Assert.Null(key.RevokedAt);
        Assert.Null(key.DailyQuota);
        Assert.True(key.Allows(ApiScopes.EventsWrite));
        Assert.False(key.Allows(ApiScopes.ClientsDelete));
        Assert.False(key.Allows("clients"));
    }

    [Fact]
    public void Key_Bounds()
    {
        Assert.Equal("A key's name is 1 to 100 characters.", Refused(() => Key(" ")));
        Assert.Equal("A key's name is 1 to 100 characters.", Refused(() => Key(new string('k', 101))));
        Assert.Equal(100, Key(new string('k', 100)).Name.Length);
        Assert.Equal("Choose at least one known scope.", Refused(() => Key(scopes: [])));
        Assert.Equal("Choose at least one known scope.", Refused(() => Key(scopes: [ApiScopes.ClientsWrite, "admin:all"])));
        const string rate = "The rate limit is 1 to 100,000 requests per minute.";
        Assert.Equal(rate, Refused(() => Key(rpm: 0)));
        Assert.Equal(rate, Refused(() => Key(rpm: 100_001)));
        Assert.Equal((1, 100_000), (Key(rpm: 1).RequestsPerMinute, Key(rpm: 100_000).RequestsPerMinute));
        var key = Key();
        key.SetRateLimit(1);
        Assert.Equal(1, key.RequestsPerMinute);
        key.SetRateLimit(100_000);
        Assert.Equal(100_000, key.RequestsPerMinute);
        Assert.Equal(rate, Refused(() => key.SetRateLimit(0)));
        Assert.Equal(rate, Refused(() => key.SetRateLimit(100_001)));
        Assert.Equal(100_000, key.RequestsPerMinute);
    }

    [Fact]
    public void Key_Revoke_OnceAndForAll()
    {
        var key = Key();
        key.Revoke(Now.AddDays(1));
        key.Revoke(Now.AddDays(2));
        Assert.Equal(Now.AddDays(1), key.RevokedAt);
        Assert.False(key.Allows(ApiScopes.ClientsWrite));
    }

    [Fact]
    public void Key_Messaging_QuotaAndCallback()
    {
        var key = Key();
        key.ConfigureMessaging(1, "https://crm.example/hook", "secret");
        Assert.Equal((1, "https://crm.example/hook", "secret"), (key.DailyQuota, key.CallbackUrl, key.CallbackSecret));
        key.ConfigureMessaging(100_000_000, null, "ignored");
        Assert.Equal((100_000_000, (string?)null, (string?)null), (key.DailyQuota, key.CallbackUrl, key.CallbackSecret));
        key.ConfigureMessaging(null, "http://crm.example/" + new string('p', 500 - 19), "s");
        Assert.Equal(500, key.CallbackUrl!.Length);
        Assert.Null(key.DailyQuota);

        const string quota = "The daily quota is 1 to 100,000,000 messages, or none.";
        Assert.Equal(quota, Refused(() => key.ConfigureMessaging(0, null, null)));
        Assert.Equal(quota, Refused(() => key.ConfigureMessaging(100_000_001, null, null)));
        const string url = "The callback URL must be an absolute http(s) URL of at most 500 characters.";
        Assert.Equal(url, Refused(() => key.ConfigureMessaging(null, "/relative", "s")));
        Assert.Equal(url, Refused(() => key.ConfigureMessaging(null, "ftp://crm.example/x", "s")));
        Assert.Equal(url, Refused(() => key.ConfigureMessaging(null, "http://crm.example/" + new string('p', 501 - 19), "s")));
        Assert.Equal("A callback URL needs a signing secret.", Refused(() => key.ConfigureMessaging(null, "https://crm.example/hook", "")));
        Assert.Equal("A callback URL needs a signing secret.", Refused(() => key.ConfigureMessaging(null, "https://crm.example/hook", null)));
        Assert.Equal(500, key.CallbackUrl!.Length);
    }

    [Fact]
    public void Mapping_Clients_WithAttributes()
    {
        var mapping = SyncMapping.Parse("""{" crm_id ": "ExternalId", "msisdn": "Phone", "plan": "attr: contract ", "x": "City"}""", SyncTarget.Clients);
        Assert.Equal([("crm_id", "ExternalId"), ("msisdn", "Phone"), ("plan", "attr: contract "), ("x", "City")], mapping.Pairs);
        Assert.Equal(["crm_id", "msisdn", "plan", "x"], mapping.Columns);
        Assert.Equal([ClientField.ExternalId, ClientField.Phone, null, ClientField.City], mapping.ClientFields());
        Assert.Equal(new Dictionary<int, string> { [2] = "contract" }, mapping.AttributeColumns());
    }

    [Fact]
    public void Mapping_Events_AndEmployees_IndexOf()
    {
        var events = SyncMapping.Parse("""{"client": "ExternalId", "kind": "Type", "at": "OccurredAt", "id": "EventId"}""", SyncTarget.Events);
        Assert.Equal(3, events.IndexOf(EventField.EventId));
        Assert.Equal(0, events.IndexOf(EventField.ExternalId));
        Assert.Null(events.IndexOf(EventField.Amount));
        var staff = SyncMapping.Parse("""{"tel": "Phone", "fio": "Name", "on": "Active"}""", SyncTarget.Employees);
        Assert.Equal(2, staff.IndexOf(EmployeeField.Active));
        Assert.Empty(staff.AttributeColumns());
    }

    [Theory]
    [InlineData("""{"a": "ExternalId", "b": "Phone", "c": "Nickname"}""", SyncTarget.Clients, "'Nickname' is not a client field.")]
    [InlineData("""{"a": "ExternalId", "b": "Phone", "c": "attr:"}""", SyncTarget.Clients, "'attr:' is not a client field.")]
    [InlineData("""{"a": "ExternalId", "b": "Phone", "c": "attr:  "}""", SyncTarget.Clients, "'attr:  ' is not a client field.")]
    [InlineData("""{"a": "ExternalId", "b": "Phone", "c": "phone"}""", SyncTarget.Clients, "'phone' is not a client field.")]
    [InlineData("""{"a": "ExternalId", "b": "Phone", "c": "99"}""", SyncTarget.Clients, "'99' is not a client field.")]
    [InlineData("""{"a": "Phone", "b": "Name", "c": "Salary"}""", SyncTarget.Employees, "'Salary' is not an employee field.")]
    [InlineData("""{"a": "Phone", "b": "Name", "c": "42"}""", SyncTarget.Employees, "'42' is not an employee field.")]
    [InlineData("""{"a": "ExternalId", "b": "Type", "c": "OccurredAt", "d": "Phone"}""", SyncTarget.Events, "'Phone' is not an event field.")]
    [InlineData("""{"a": "ExternalId", "b": "Type", "c": "OccurredAt", "d": "7"}""", SyncTarget.Events, "'7' is not an event field.")]
    [InlineData("""{"a": "ExternalId", "b": "Phone", "c": "Phone"}""", SyncTarget.Clients, "The field Phone is mapped twice.")]
    [InlineData("""{"a": "ExternalId", "b": "Phone", "c": "attr:x", "d": "attr:X"}""", SyncTarget.Clients, "The field attr:X is mapped twice.")]
    [InlineData("""{"a": "ExternalId", " ": "Phone"}""", SyncTarget.Clients, "A mapped source column has no name.")]
    [InlineData("""{"a": "ExternalId"}""", SyncTarget.Clients, "Map a source column to Phone.")]
    [InlineData("""{"a": "Phone"}""", SyncTarget.Clients, "Map a source column to ExternalId.")]
    [InlineData("", SyncTarget.Clients, "Map a source column to ExternalId.")]
    [InlineData("null", SyncTarget.Clients, "Map a source column to ExternalId.")]
    [InlineData("""{"a": "Phone"}""", SyncTarget.Employees, "Map a source column to Name.")]
    [InlineData("""{"a": "Name"}""", SyncTarget.Employees, "Map a source column to Phone.")]
    [InlineData("""{"a": "ExternalId", "b": "Type"}""", SyncTarget.Events, "Map a source column to OccurredAt.")]
    [InlineData("""{"a": "ExternalId", "b": "OccurredAt"}""", SyncTarget.Events, "Map a source column to Type.")]
    [InlineData("""{"a": "Type", "b": "OccurredAt"}""", SyncTarget.Events, "Map a source column to ExternalId.")]
    [InlineData("[1, 2]", SyncTarget.Clients, "The mapping is not a JSON object of column → field names.")]
    [InlineData("""{"a": 1}""", SyncTarget.Clients, "The mapping is not a JSON object of column → field names.")]
    public void Mapping_Refused(string json, SyncTarget target, string message) =>
        Assert.Equal(message, Refused(() => SyncMapping.Parse(json, target)));

    [Fact]
    public void Mapping_ToJson_TrimsColumns_RefusesATwiceMappedColumn()
    {
        Assert.Equal("""{"crm_id":"ExternalId","msisdn":"Phone"}""", SyncMapping.ToJson([(" crm_id ", "ExternalId"), ("msisdn", "Phone")]));
        Assert.Equal("{}", SyncMapping.ToJson([]));
        Assert.Equal("The column 'a' is mapped twice.", Refused(() => SyncMapping.ToJson([("a", "Phone"), (" a ", "City")])));
        // Column names are case-sensitive.
        Assert.Equal("""{"a":"Phone","A":"City"}""", SyncMapping.ToJson([("a", "Phone"), ("A", "City")]));
    }

    private static SyncSource Source(string name = " CRM ") =>
        new(name, SyncSourceKind.HttpJson, SyncTarget.Events, "https://crm/x", "select 1", "updated_at", "0 */5 * * * ?", "{}");

    [Fact]
    public void Source_New_Rename_Overlap()
    {
        var s = Source();
        Assert.Equal(("CRM", SyncSourceKind.HttpJson, SyncTarget.Events, "https://crm/x", "select 1", "updated_at", "0 */5 * * * ?", "{}"),
            (s.Name, s.Kind, s.Target, s.Location, s.Query, s.WatermarkColumn, s.Cron, s.MappingJson));
        Assert.Equal((5, true), (s.OverlapMinutes, s.Enabled));
        Assert.Equal("A source's name is 1 to 100 characters.", Refused(() => Source(" ")));
        Assert.Equal("A source's name is 1 to 100 characters.", Refused(() => Source(new string('s', 101))));
        Assert.Equal(100, Source(new string('s', 100)).Name.Length);
        s.Rename("  HR " + new string('s', 97) + " ");
        Assert.Equal(100, s.Name.Length);
        Assert.Equal("A source's name is 1 to 100 characters.", Refused(() => s.Rename(new string('s', 101))));
        Assert.Equal("A source's name is 1 to 100 characters.", Refused(() => s.Rename("")));
        s.SetOverlap(0);
        Assert.Equal(0, s.OverlapMinutes);
        s.SetOverlap(1440);
        Assert.Equal(1440, s.OverlapMinutes);
        Assert.Equal("The overlap is 0 to 1440 minutes.", Refused(() => s.SetOverlap(-1)));
        Assert.Equal("The overlap is 0 to 1440 minutes.", Refused(() => s.SetOverlap(1441)));
    }

    [Fact]
    public void Run_Finish_Succeeded_KeepsTheFirst50RowErrors_Capped()
    {
        var run = new SyncRun(4, Now);
        Assert.Equal((4, Now, (DateTime?)null), (run.SourceId, run.StartedAt, run.FinishedAt));
        Assert.Empty(run.RowErrors());
        var errors = Enumerable.Range(1, 60).Select(i => new SyncRowError(i, i == 1 ? new string('c', 101) : "phone", i == 1 ? new string('r', 301) : "bad")).ToList();
        run.Finish(100, 40, 60, null, Now.AddMinutes(1), errors);
        Assert.Equal((100, 40, 60, (DateTime?)Now.AddMinutes(1), true, (string?)null), (run.RowsRead, run.Upserted, run.Rejected, run.FinishedAt, run.Succeeded, run.Error));
        var kept = run.RowErrors();
        Assert.Equal(50, kept.Count);
        Assert.Equal(new SyncRowError(1, new string('c', 100), new string('r', 300)), kept[0]);
        Assert.Equal(new SyncRowError(50, "phone", "bad"), kept[49]);
    }

    [Fact]
    public void Run_Finish_Failed_KeepsNoRowErrors_ErrorCutAt1000()
    {
        var run = new SyncRun(4, Now);
        run.Finish(10, 0, 0, new string('e', 1001), Now, [new SyncRowError(1, null, "bad")]);
        Assert.False(run.Succeeded);
        Assert.Equal(new string('e', 1000), run.Error);
        Assert.Null(run.RowErrorsJson);
        Assert.Empty(run.RowErrors());
        run.Finish(10, 0, 0, new string('e', 1000), Now);
        Assert.Equal(1000, run.Error!.Length);
        var clean = new SyncRun(4, Now);
        clean.Finish(1, 1, 0, null, Now, []);
        Assert.Null(clean.RowErrorsJson);
    }

    [Fact]
    public void RowError_Capped_AtItsLimits()
    {
        Assert.Equal(new SyncRowError(2, null, "r"), new SyncRowError(2, null, "r").Capped());
        var exact = new SyncRowError(2, new string('c', 100), new string('r', 300));
        Assert.Equal(exact, exact.Capped());
    }
}
