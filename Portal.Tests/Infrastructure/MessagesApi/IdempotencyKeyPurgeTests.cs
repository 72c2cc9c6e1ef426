using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Integrations;
using Portal.Infrastructure.MessagesApi;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.MessagesApi;

/// <summary>
/// Issue 21: the send API's idempotency keys are deleted once past their retention (48 h by
/// default), by the callback loop at most once an hour. Before, nothing called the purge and the
/// table grew by a row per keyed request for ever.
/// </summary>
public class IdempotencyKeyPurgeTests
{
    private sealed class SetClock(DateTime utc) : TimeProvider
    {
        public DateTime Now { get; set; } = utc;
        public override DateTimeOffset GetUtcNow() => new(DateTime.SpecifyKind(Now, DateTimeKind.Utc));
    }

    private sealed class NoHttp : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("no callbacks here");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task KeysPastTheRetention_AreDeleted_AtMostOnceAnHour(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var now = new DateTime(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);
        var clock = new SetClock(now);
        await using (var db = database.CreateContext())
        {
            var key = new ApiKey("CRM", "crm00001", new string('0', 64), [ApiScopes.MessagesSend], 100, "admin", now);
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
            db.ApiIdempotencyKeys.AddRange(
                new ApiIdempotencyKey(key.Id, "old", "h", now.AddHours(-49)),
                new ApiIdempotencyKey(key.Id, "edge", "h", now.AddHours(-47)),
                new ApiIdempotencyKey(key.Id, "new", "h", now.AddMinutes(-1)));
            await db.SaveChangesAsync();
        }
        var service = new StatusCallbackService(database.Factory, new NoHttp(), new CallbackSecrets(new EphemeralDataProtectionProvider()), clock,
            Options.Create(new MessagesApiOptions()), Options.Create(new SendingOptions()), NullLogger<StatusCallbackService>.Instance);

        Assert.Equal(1, await service.PurgeIdempotencyKeysAsync(default));
        await using (var db = database.CreateContext())
        {
            Assert.Equal(["edge", "new"], (await db.ApiIdempotencyKeys.Select(k => k.Key).ToListAsync()).Order());
        }

        clock.Now = now.AddMinutes(59);
        Assert.Equal(0, await service.PurgeIdempotencyKeysAsync(default));
        clock.Now = now.AddHours(2);
        Assert.Equal(1, await service.PurgeIdempotencyKeysAsync(default));
        await using (var db = database.CreateContext())
        {
            Assert.Equal(["new"], await db.ApiIdempotencyKeys.Select(k => k.Key).ToListAsync());
        }
    }
}
