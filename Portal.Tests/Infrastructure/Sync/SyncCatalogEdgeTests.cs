using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Domain.Common;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Integrations.Sync;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Sync;

/// <summary>
/// Issue 21 (coverage): what the sync source editor refuses, in the words the administrator reads,
/// and the catalog's housekeeping (watermark reset, deleting a missing source, listing a source
/// whose credentials or mapping can no longer be read).
/// </summary>
public class SyncCatalogEdgeTests
{
    private const string Cs = "Host=crm.internal;Database=crm;Username=reader;Password=secret";

    private static SyncSourceDraft Draft(string name = "CRM") => PostgresSyncTests.ClientsDraft(Cs, name: name);

    private static async Task<string> RefusalAsync(SyncHarness sync, SyncSourceDraft draft) =>
        (await Assert.ThrowsAsync<DomainException>(() => sync.Catalog.CreateAsync(SyncHarness.Admin, draft, default))).Message;

    [Fact]
    public async Task Create_RefusesEachBadField_InWords()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        Assert.Equal("A source's name is 1 to 100 characters.", await RefusalAsync(sync, Draft(" ")));
        Assert.Equal("A source's name is 1 to 100 characters.", await RefusalAsync(sync, Draft(new string('n', 101))));
        Assert.Equal("The watermark column's name is at most 100 characters.", await RefusalAsync(sync, Draft() with { WatermarkColumn = new string('w', 101) }));
        Assert.Equal("Enter the source database's connection string.", await RefusalAsync(sync, Draft() with { ConnectionString = " " }));
        Assert.Equal("The connection string is not a valid Npgsql connection string (Host=...;Database=...;Username=...;Password=...).",
            await RefusalAsync(sync, Draft() with { ConnectionString = "Host=crm;Flux Capacitor=1.21" }));
        Assert.Equal("Enter the SQL query (at most 8,000 characters).", await RefusalAsync(sync, Draft() with { Query = "" }));
        Assert.Equal("Enter the SQL query (at most 8,000 characters).", await RefusalAsync(sync, Draft() with { Query = "SELECT 1 " + new string(' ', 8000) }));
        var http = Draft() with { Kind = SyncSourceKind.HttpJson, ConnectionString = null, Query = "" };
        Assert.Equal("Enter the endpoint's http(s) URL (at most 1,000 characters).", await RefusalAsync(sync, http with { Url = "ftp://crm.example/feed" }));
        Assert.Equal("Enter the endpoint's http(s) URL (at most 1,000 characters).", await RefusalAsync(sync, http with { Url = null }));
        Assert.Equal("Enter the endpoint's http(s) URL (at most 1,000 characters).", await RefusalAsync(sync, http with { Url = "https://crm.example/" + new string('p', 1000) }));
        Assert.Empty(await sync.Catalog.ListAsync(default));
    }

    [Fact]
    public async Task NamesAreUnique_AndKindOrTargetNeverChange()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        var crm = await sync.Catalog.CreateAsync(SyncHarness.Admin, Draft("CRM"), default);
        var shop = await sync.Catalog.CreateAsync(SyncHarness.Admin, Draft("Shop"), default);

        Assert.Equal("A source named 'CRM' already exists.", await RefusalAsync(sync, Draft(" CRM ")));
        Assert.Equal("A source named 'CRM' already exists.",
            (await Assert.ThrowsAsync<DomainException>(() => sync.Catalog.UpdateAsync(SyncHarness.Admin, shop, Draft("CRM"), default))).Message);
        Assert.Equal("A source's kind and target cannot change: create a new source.",
            (await Assert.ThrowsAsync<DomainException>(() => sync.Catalog.UpdateAsync(SyncHarness.Admin, crm, Draft() with { Target = SyncTarget.Events }, default))).Message);
        Assert.Equal("This source no longer exists.",
            (await Assert.ThrowsAsync<DomainException>(() => sync.Catalog.UpdateAsync(SyncHarness.Admin, 9999, Draft(), default))).Message);
        Assert.Equal(["CRM", "Shop"], (await sync.Catalog.ListAsync(default)).Select(s => s.Name));
    }

    [Fact]
    public async Task ResetWatermark_ForgetsIt_AndIsAudited_AndDeletingAMissingSourceSaysSo()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, Draft(), default);
        await using (var db = sync.Portal.CreateContext())
        {
            await db.SyncSources.Where(s => s.Id == id).ExecuteUpdateAsync(u => u.SetProperty(s => s.Watermark, "2026-11-20T10:00:00"));
        }
        Assert.Equal("2026-11-20T10:00:00", (await sync.Catalog.ListAsync(default)).Single().Watermark);

        await sync.Catalog.ResetWatermarkAsync(SyncHarness.Admin, id, default);
        Assert.Null((await sync.Catalog.ListAsync(default)).Single().Watermark);
        await using (var db = sync.Portal.CreateContext())
        {
            Assert.True(await db.AuditEntries.AnyAsync(e => e.Action == AuditActions.SyncSourceChanged && e.EntityId == id.ToString() && e.Details == "watermark reset"));
        }

        Assert.False(await sync.Catalog.DeleteAsync(SyncHarness.Admin, 9999, default));
        Assert.True(await sync.Catalog.DeleteAsync(SyncHarness.Admin, id, default));
        Assert.Empty(await sync.Catalog.ListAsync(default));
    }

    [Fact]
    public async Task List_ASourceWithUnreadableCredentialsOrMapping_StillShows_WithoutThem()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Sqlite);
        var id = await sync.Catalog.CreateAsync(SyncHarness.Admin, Draft(), default);
        var listed = (await sync.Catalog.ListAsync(default)).Single();
        Assert.Equal("crm.internal:5432/crm", listed.Where);
        Assert.NotEmpty(listed.Mapping);
        var otherKeys = Directory.CreateTempSubdirectory("portal-other-keys-");
        var foreign = new SyncSecrets(DataProtectionProvider.Create(otherKeys, b => b.SetApplicationName("Portal")))
            .Protect(new SyncEndpoint(Cs, null, null));
        otherKeys.Delete(recursive: true);

        await using (var db = sync.Portal.CreateContext())
        {
            // Encrypted with a key this node never had, and a mapping written by an older version.
            await db.SyncSources.Where(s => s.Id == id).ExecuteUpdateAsync(u => u
                .SetProperty(s => s.Location, foreign)
                .SetProperty(s => s.MappingJson, """{"msisdn":"Telephone"}"""));
        }
        var broken = (await sync.Catalog.ListAsync(default)).Single();
        Assert.Equal(("CRM", false, null), (broken.Name, broken.HasToken, broken.Url));
        Assert.DoesNotContain("crm.internal", broken.Where);
        Assert.Empty(broken.Mapping);
    }
}
