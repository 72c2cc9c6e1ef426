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

    [Fact]
    public async Task SecretsAreDecryptedOnceAtTheRegistryBoundary_AgainOnlyWhenTheRowChanges()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var protection = new CountingProtectionProvider(new EphemeralDataProtectionProvider());
        var secrets = new ProviderSecrets(protection);
        SmsProvider row;
        await using (var db = database.CreateContext())
        {
            row = new SmsProvider("Gateway", ProviderKind.Http, new ProviderSettings
            {
                CallbackSecretProtected = secrets.Protect("first"), Http = HttpProviderSettings.Kannel(),
            }.ToJson());
            db.Providers.Add(row);
            await db.SaveChangesAsync();
        }
        var version = new ProviderRegistryVersion();
        var callbacks = new ProviderCallbacks(database.Factory, secrets, version, NullLogger<ProviderCallbacks>.Instance);

        Assert.Equal("first", (await callbacks.FindAsync(row.Id, default))!.Secret);
        // Reloads (a registry change elsewhere) re-read the rows but do not decrypt an unchanged one again.
        version.Bump();
        Assert.Equal("first", (await callbacks.FindAsync(row.Id, default))!.Secret);
        version.Bump();
        Assert.Equal("first", (await callbacks.FindAsync(row.Id, default))!.Secret);
        Assert.Equal(1, protection.Unprotects);

        await using (var db = database.CreateContext())
        {
            var stored = await db.Providers.FindAsync(row.Id);
            stored!.SettingsJson = new ProviderSettings { CallbackSecretProtected = secrets.Protect("second"), Http = HttpProviderSettings.Kannel() }.ToJson();
            await db.SaveChangesAsync();
        }
        version.Bump();
        Assert.Equal("second", (await callbacks.FindAsync(row.Id, default))!.Secret);
        Assert.Equal(2, protection.Unprotects);
    }

    private sealed class CountingProtectionProvider(IDataProtectionProvider inner) : IDataProtectionProvider
    {
        private int _unprotects;

        public int Unprotects => _unprotects;

        public IDataProtector CreateProtector(string purpose) => new Protector(inner.CreateProtector(purpose), this);

        private sealed class Protector(IDataProtector inner, CountingProtectionProvider owner) : IDataProtector
        {
            public IDataProtector CreateProtector(string purpose) => new Protector(inner.CreateProtector(purpose), owner);
            public byte[] Protect(byte[] plaintext) => inner.Protect(plaintext);
            public byte[] Unprotect(byte[] protectedData)
            {
                Interlocked.Increment(ref owner._unprotects);
                return inner.Unprotect(protectedData);
            }
        }
    }
}
