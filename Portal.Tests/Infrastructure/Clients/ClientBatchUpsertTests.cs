using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Clients;

/// <summary>
/// Issue 21 (coverage): the client API's batch upsert below the HTTP layer: phones repeated in a
/// batch, updates of phone, registration, zone and status, and typed custom attributes (set,
/// replaced, removed, refused with the reason the API returns).
/// </summary>
public class ClientBatchUpsertTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(Now);
    }

    private static ClientBatchUpsert Upsert(TestDatabase database) =>
        new(database.Factory, new FixedClock(), NullLogger<ClientBatchUpsert>.Instance);

    private static ClientPatch Patch(int index, string externalId, string? phone = null) =>
        new(index, externalId) { Phone = phone is null ? null : PhoneNumber.Parse(phone) };

    private static Dictionary<string, JsonElement> Json(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    private static async Task<TestDatabase> WithAttributesAsync()
    {
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var db = database.CreateContext();
        db.AttributeDefinitions.AddRange(
            new AttributeDefinition("note", AttributeType.Text, "Note"),
            new AttributeDefinition("score", AttributeType.Number, "Score"),
            new AttributeDefinition("renewal", AttributeType.Date, "Renewal"),
            new AttributeDefinition("vip", AttributeType.Boolean, "VIP"));
        await db.SaveChangesAsync();
        return database;
    }

    [Fact]
    public async Task APhoneRepeatedInTheBatch_RefusesBothItems_AndTheRestIsApplied()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var result = await Upsert(database).UpsertAsync(
            [Patch(0, "a", "+79161111111"), Patch(1, "b", "+79161111111"), Patch(2, "c", "+79162222222")], [], 3, atomic: false, default);

        Assert.True(result.Applied);
        Assert.Equal((1, 0, 2), (result.Created, result.Updated, result.Failed));
        Assert.Equal(
            [
                new BatchItemError(0, "a", "phone", "The phone number appears more than once in the batch (items 0, 1)."),
                new BatchItemError(1, "b", "phone", "The phone number appears more than once in the batch (items 0, 1)."),
            ],
            result.Errors);
        await using var db = database.CreateContext();
        Assert.Equal(["c"], await db.Clients.Select(c => c.ExternalId).ToListAsync());
    }

    [Fact]
    public async Task AnUpdate_ChangesPhoneRegistrationZoneAndStatus()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var upsert = Upsert(database);
        await upsert.UpsertAsync([Patch(0, "a", "+79161111111")], [], 1, atomic: true, default);

        var registered = new DateTime(2020, 5, 1, 0, 0, 0, DateTimeKind.Utc);
        var update = Patch(0, "a", "+79031234567");
        update.RegisteredAt = registered;
        update.TimeZone = "Asia/Novosibirsk";
        update.Status = ClientStatus.Blocked;
        var result = await upsert.UpsertAsync([update], [], 1, atomic: true, default);
        Assert.Equal([new UpsertItemResult(0, "a", UpsertOutcome.Updated, result.Items[0].ClientId)], result.Items);

        await using (var db = database.CreateContext())
        {
            var client = await db.Clients.SingleAsync();
            Assert.Equal(("+79031234567", "Beeline", registered, "Asia/Novosibirsk", ClientStatus.Blocked),
                (client.Phone, client.Operator, client.RegisteredAt, client.TimeZone, client.Status));
        }

        foreach (var status in new[] { ClientStatus.Inactive, ClientStatus.Active })
        {
            var next = Patch(0, "a");
            next.Status = status;
            await upsert.UpsertAsync([next], [], 1, atomic: true, default);
            await using var db = database.CreateContext();
            Assert.Equal(status, (await db.Clients.SingleAsync()).Status);
        }
    }

    [Fact]
    public async Task StatusErased_IsRefused_AndNothingIsWritten()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var upsert = Upsert(database);
        await upsert.UpsertAsync([Patch(0, "a", "+79161111111")], [], 1, atomic: true, default);

        var erase = Patch(0, "a", "+79162222222");
        erase.Status = ClientStatus.Erased;
        var error = await Assert.ThrowsAsync<DomainException>(() => upsert.UpsertAsync([erase], [], 1, atomic: true, default));
        Assert.Equal("Erase a client through the erasure endpoint.", error.Message);
        var unknown = Patch(0, "a");
        unknown.Status = (ClientStatus)9;
        Assert.Equal("Unknown status 9.", (await Assert.ThrowsAsync<DomainException>(() => upsert.UpsertAsync([unknown], [], 1, atomic: true, default))).Message);

        await using var db = database.CreateContext();
        var client = await db.Clients.SingleAsync();
        Assert.Equal(("+79161111111", ClientStatus.Active), (client.Phone, client.Status));
    }

    [Fact]
    public async Task Attributes_AreSetReplacedAndRemoved_ByType()
    {
        await using var database = await WithAttributesAsync();
        var upsert = Upsert(database);
        var first = Patch(0, "a", "+79161111111");
        first.Attributes = Json("""{"note":"first","score":7.5,"renewal":"2027-01-31","vip":true}""");
        var created = await upsert.UpsertAsync([first], [], 1, atomic: true, default);
        Assert.Empty(created.Errors);

        var second = Patch(0, "a");
        second.Attributes = Json("""{"note":"second","score":null,"vip":false,"renewal":"2027-02-28T10:00:00Z"}""");
        var updated = await upsert.UpsertAsync([second], [], 1, atomic: true, default);
        Assert.Empty(updated.Errors);

        await using var db = database.CreateContext();
        var values = await (from a in db.ClientAttributes join d in db.AttributeDefinitions on a.DefinitionId equals d.Id select new { d.Key, a.Text, a.Number, a.Date, a.Boolean })
            .ToDictionaryAsync(v => v.Key);
        Assert.Equal(["note", "renewal", "vip"], values.Keys.Order());
        Assert.Equal("second", values["note"].Text);
        Assert.Equal(new DateTime(2027, 2, 28, 10, 0, 0, DateTimeKind.Utc), values["renewal"].Date);
        Assert.False(values["vip"].Boolean);
    }

    [Fact]
    public async Task Attributes_OfTheWrongType_AreRefusedNamingTheAttribute()
    {
        await using var database = await WithAttributesAsync();
        var patch = Patch(0, "a", "+79161111111");
        patch.Attributes = Json($$"""{"note":{{JsonSerializer.Serialize(new string('n', 501))}},"score":"seven","renewal":"soon","vip":"yes","absent":null}""");
        var other = Patch(1, "b", "+79162222222");
        other.Attributes = Json("""{"note":5}""");
        var result = await Upsert(database).UpsertAsync([patch, other], [], 2, atomic: false, default);

        Assert.False(result.Applied);
        Assert.Equal(
            [
                new BatchItemError(0, "a", "attributes.note", "Text attributes hold at most 500 characters."),
                new BatchItemError(0, "a", "attributes.score", "Expected a number."),
                new BatchItemError(0, "a", "attributes.renewal", "Expected an ISO 8601 date (yyyy-MM-dd or a date and time)."),
                new BatchItemError(0, "a", "attributes.vip", "Expected true or false."),
                new BatchItemError(0, "a", "attributes.absent", "Unknown attribute 'absent': define it first."),
                new BatchItemError(1, "b", "attributes.note", "Expected a string."),
            ],
            result.Errors);
        Assert.Equal(2, result.Failed);
    }
}
