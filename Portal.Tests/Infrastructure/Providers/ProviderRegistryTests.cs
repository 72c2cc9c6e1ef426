using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Domain.Common;
using Portal.Domain.Providers;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Providers;

public class ProviderRegistryTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Store_EncryptsPassword_KeepsItWhenLeftEmpty_AndAudits(DatabaseProvider provider)
    {
        await using var h = await ProviderHarness.CreateAsync(provider);
        var draft = ProviderHarness.Smpp("Alpha", 2775, "alpha", "S3cr#t!", 0.31m);
        draft.Operators = ["MTS", "T2"];
        draft.MaxPartsPerSecond = 50;
        var id = await h.Store.CreateAsync(ProviderHarness.Admin, draft, default);

        string stored;
        await using (var db = h.Database.CreateContext()) stored = (await db.Providers.SingleAsync(p => p.Id == id)).SettingsJson;
        Assert.DoesNotContain("S3cr#t!", stored);
        Assert.Equal("S3cr#t!", h.Secrets.Decrypt(ProviderSettings.Parse(stored)).Password);

        var edit = await h.Store.GetAsync(id, default);
        Assert.Null(edit.Password);
        Assert.True(edit.HasPassword);
        Assert.Equal(["MTS", "T2"], edit.Operators);
        edit.Binds = 3;
        await h.Store.UpdateAsync(ProviderHarness.Admin, id, edit, default);

        await using (var db = h.Database.CreateContext())
        {
            var after = await db.Providers.SingleAsync(p => p.Id == id);
            Assert.DoesNotContain("S3cr#t!", after.SettingsJson);
            Assert.Equal("S3cr#t!", h.Secrets.Decrypt(ProviderSettings.Parse(after.SettingsJson)).Password);
            Assert.Equal(3, ProviderSettings.Parse(after.SettingsJson).Binds);
            var audit = await db.AuditEntries.Where(a => a.EntityId == id.ToString()).Select(a => new { a.Action, a.Details }).ToListAsync();
            Assert.Contains(audit, a => a.Action == AuditActions.ProviderCreated);
            Assert.Contains(audit, a => a.Action == AuditActions.ProviderChanged);
            Assert.All(audit, a => Assert.DoesNotContain("S3cr#t!", a.Details ?? ""));
        }
        var row = Assert.Single(await h.Store.ListAsync(default));
        Assert.Equal("127.0.0.1:2775", row.Where);
        Assert.True(row.HasPassword);

        // Receipt settings: the policy round-trips; a receipt id format like the responses' is stored as "same" (null).
        edit = await h.Store.GetAsync(id, default);
        Assert.Equal(ReceiptPolicy.FirstPart, edit.ReceiptPolicy);
        Assert.Equal(edit.MessageIdFormat, edit.ReceiptIdFormat);
        edit.ReceiptPolicy = ReceiptPolicy.AllParts;
        edit.ReceiptIdFormat = Portal.Infrastructure.Smpp.Receipts.MessageIdRadix.Decimal;
        await h.Store.UpdateAsync(ProviderHarness.Admin, id, edit, default);
        edit = await h.Store.GetAsync(id, default);
        Assert.Equal(ReceiptPolicy.AllParts, edit.ReceiptPolicy);
        Assert.Equal(Portal.Infrastructure.Smpp.Receipts.MessageIdRadix.Decimal, edit.ReceiptIdFormat);
        await using (var db = h.Database.CreateContext())
        {
            var settings = ProviderSettings.Parse((await db.Providers.SingleAsync(p => p.Id == id)).SettingsJson);
            var matching = settings.ToConnectorOptions("Alpha").MessageIdMatching;
            Assert.Equal(settings.IdMatching, matching);
            Assert.Equal(matching.NormalizeSubmitted("0000001A"), matching.NormalizeReceipted("26"));
        }
    }

    [Fact]
    public async Task Store_BadDraft_RefusedWithEveryProblem()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        var draft = ProviderHarness.Smpp("", 0, "", "", -1);
        var e = await Assert.ThrowsAsync<DomainException>(() => h.Store.CreateAsync(ProviderHarness.Admin, draft, default));
        Assert.Contains("name", e.Message);
        Assert.Contains("port", e.Message);
        Assert.Contains("system_id", e.Message);
        Assert.Contains("password", e.Message);
        Assert.Empty(await h.Store.ListAsync(default));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Import_GoodFile_ReplaceThenMerge(DatabaseProvider provider)
    {
        await using var h = await ProviderHarness.CreateAsync(provider);
        var id = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", 2775, "a", "p", 0.5m), default);

        var first = await h.Import.ImportAsync(ProviderHarness.Admin, id, new StringReader(
            "destination,price,currency,valid_from\nMTS,0.29,RUB,2026-01-01\nTele2,0.31,rub,2026-01-01\n+7916,0.25,RUB,2026-01-01\n"), PriceImportMode.Replace, default);
        Assert.True(first.Applied);
        Assert.Equal(3, first.Imported);

        var merge = await h.Import.ImportAsync(ProviderHarness.Admin, id, new StringReader(
            "destination;price;currency;valid_from\nMTS;0,27;RUB;2026-01-01\nBeeline;0,33;RUB;2026-01-01\n"), PriceImportMode.Merge, default);
        Assert.True(merge.Applied);

        var prices = (await h.Store.PricesAsync(id, default)).ToDictionary(e => e.Destination, e => e.PricePerPart);
        Assert.Equal(new Dictionary<string, decimal> { ["MTS"] = 0.27m, ["T2"] = 0.31m, ["+7916"] = 0.25m, ["Beeline"] = 0.33m }, prices);

        var replaced = await h.Import.ImportAsync(ProviderHarness.Admin, id, new StringReader("destination,price,currency\nMegaFon,0.4,RUB\n"), PriceImportMode.Replace, default);
        Assert.True(replaced.Applied);
        Assert.Equal("MegaFon", Assert.Single(await h.Store.PricesAsync(id, default)).Destination);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Import_BadRows_RefusedWithLineNumbers_NothingApplied(DatabaseProvider provider)
    {
        await using var h = await ProviderHarness.CreateAsync(provider);
        var id = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", 2775, "a", "p", 0.5m), default);
        await h.Import.ImportAsync(ProviderHarness.Admin, id, new StringReader("destination,price,currency\nMTS,0.29,RUB\n"), PriceImportMode.Replace, default);

        var result = await h.Import.ImportAsync(ProviderHarness.Admin, id, new StringReader(
            "destination,price,currency\nMegaFon,0.30,RUB\nYota,0.2,RUB\nBeeline,abc,RUB\n7916,0.1,RUBLES\nMegaFon,0.31,RUB\nT2,0.3\n"), PriceImportMode.Replace, default);

        Assert.False(result.Applied);
        Assert.Equal([3, 4, 5, 6, 7], result.Errors.Select(e => e.Line));
        Assert.Contains("Yota", result.Errors[0].Reason);
        Assert.Contains("abc", result.Errors[1].Reason);
        Assert.Contains("currency", result.Errors[2].Reason);
        Assert.Contains("line 2", result.Errors[3].Reason);
        Assert.Contains("Expected 3", result.Errors[4].Reason);
        var kept = Assert.Single(await h.Store.PricesAsync(id, default));
        Assert.Equal(("MTS", 0.29m), (kept.Destination, kept.PricePerPart));
    }

    [Fact]
    public async Task Import_NoHeader_ClearError()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        var id = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", 2775, "a", "p", 0.5m), default);
        var result = await h.Import.ImportAsync(ProviderHarness.Admin, id, new StringReader("MTS,0.29,RUB\n"), PriceImportMode.Replace, default);
        Assert.Equal(1, Assert.Single(result.Errors).Line);
        Assert.Contains("header", result.Errors[0].Reason);
    }
}
