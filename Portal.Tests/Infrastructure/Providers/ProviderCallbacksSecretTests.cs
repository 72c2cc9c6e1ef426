using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Providers;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Providers;

/// <summary>A callback secret this node cannot decrypt leaves the provider without one, so its callbacks are refused, never accepted unchecked (real SQLite).</summary>
public class ProviderCallbacksSecretTests
{
    [Fact]
    public async Task CallbackSecretFromAnotherKeyRing_ProviderFoundWithoutASecret()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var foreign = new ProviderSecrets(new EphemeralDataProtectionProvider()).Protect("s3cret");
        var mine = new ProviderSecrets(new EphemeralDataProtectionProvider());
        var readable = mine.Protect("ok-secret");
        int unreadableId, readableId;
        await using (var db = database.CreateContext())
        {
            SmsProvider Row(string name, string secret) => new(name, ProviderKind.Http, new ProviderSettings
            {
                CallbackSecretProtected = secret, Http = HttpProviderSettings.Kannel(),
            }.ToJson());
            var unreadable = Row("Foreign", foreign);
            var fine = Row("Local", readable);
            db.Providers.AddRange(unreadable, fine);
            await db.SaveChangesAsync();
            (unreadableId, readableId) = (unreadable.Id, fine.Id);
        }
        var callbacks = new ProviderCallbacks(database.Factory, mine, new ProviderRegistryVersion(), NullLogger<ProviderCallbacks>.Instance);

        var found = await callbacks.FindAsync(unreadableId, default);
        var other = await callbacks.FindAsync(readableId, default);

        Assert.Equal("Foreign", found!.Name);
        Assert.Null(found.Secret);
        Assert.Equal(HttpProviderPreset.Kannel, found.Settings.Preset);
        Assert.Equal("ok-secret", other!.Secret);
    }
}
