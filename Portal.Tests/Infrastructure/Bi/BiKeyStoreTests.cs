using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Bi;

/// <summary>
/// Issue 21 (coverage): the BI pseudonym key is generated once and stored encrypted, so another
/// node (or this one after a restart) derives the same client_key; a configured key wins.
/// </summary>
public sealed class BiKeyStoreTests : IDisposable
{
    private readonly DirectoryInfo _keys = Directory.CreateTempSubdirectory("portal-bi-keys-");

    public void Dispose() => _keys.Delete(recursive: true);

    private IDataProtectionProvider Protection() => DataProtectionProvider.Create(_keys, b => b.SetApplicationName("Portal"));

    [Fact]
    public async Task AGeneratedKey_IsStoredOnce_AndReadBackByAnotherNode()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var first = await new BiKeyStore(database.Factory, Protection(), Options.Create(new BiOptions())).GetAsync(default);
        var second = await new BiKeyStore(database.Factory, Protection(), Options.Create(new BiOptions())).GetAsync(default);

        Assert.Equal(first.Of(42), second.Of(42));
        Assert.NotEqual(first.Of(42), first.Of(43));
        await using var db = database.CreateContext();
        var stored = await db.BiSecrets.SingleAsync();
        Assert.Equal("pseudonym-key", stored.Name);
        Assert.StartsWith("CfDJ8", stored.ProtectedValue); // a Data Protection payload, never the key itself
    }

    [Fact]
    public async Task AConfiguredKey_IsUsed_AndNothingIsStored()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var store = new BiKeyStore(database.Factory, Protection(), Options.Create(new BiOptions { PseudonymKey = key }));

        var pseudonym = await store.GetAsync(default);

        Assert.Equal(new ClientPseudonym(Convert.FromBase64String(key)).Of(42), pseudonym.Of(42));
        Assert.Same(pseudonym, await store.GetAsync(default));
        await using var db = database.CreateContext();
        Assert.False(await db.BiSecrets.AnyAsync());
    }
}
