using Microsoft.EntityFrameworkCore;
using Portal.Domain.Common;
using Portal.Domain.Providers;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Tests.Infrastructure.Providers;

namespace Portal.Tests.Infrastructure.Http;

/// <summary>HTTP provider rows in the registry: settings round-trip, secrets encrypted and write-only, old flat rows folded.</summary>
public sealed class HttpProviderRegistryTests
{
    private static ProviderDraft Kannel(string? secret = "stored-callback-secret-1") => new()
    {
        Name = "Kannel",
        Kind = ProviderKind.Http,
        Http = HttpProviderDraft.From(HttpProviderSettings.Kannel("http://10.0.0.5:13013", "portal")),
        Password = "Kannel-Pw-1",
        CallbackSecret = secret,
        MaxPartsPerSecond = 50,
    };

    [Fact]
    public async Task Create_StoresSettings_SecretsEncrypted_EditKeepsThemWhenLeftEmpty()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        var id = await h.Store.CreateAsync(ProviderHarness.Admin, Kannel(), default);

        string stored;
        await using (var db = h.Database.CreateContext()) stored = (await db.Providers.SingleAsync(p => p.Id == id)).SettingsJson;
        Assert.DoesNotContain("stored-callback-secret-1", stored);
        Assert.DoesNotContain("Kannel-Pw-1", stored);
        var runtime = h.Secrets.Decrypt(ProviderSettings.Parse(stored));
        Assert.Equal("stored-callback-secret-1", runtime.CallbackSecret);
        Assert.Equal("Kannel-Pw-1", runtime.Password);
        Assert.Equal(HttpProviderPreset.Kannel, runtime.Http!.Preset);
        Assert.Equal(HttpReceiptStatus.Delivered, runtime.Http.Receipts.StatusMap["1"]);

        var draft = await h.Store.GetAsync(id, default);
        Assert.True(draft.HasCallbackSecret);
        Assert.True(draft.HasPassword);
        Assert.Null(draft.CallbackSecret);
        Assert.StartsWith("http://10.0.0.5:13013/cgi-bin/sendsms?", draft.Http.UrlTemplate);
        draft.Http.TimeoutSeconds = 7;
        await h.Store.UpdateAsync(ProviderHarness.Admin, id, draft, default);

        await using (var db = h.Database.CreateContext()) stored = (await db.Providers.SingleAsync(p => p.Id == id)).SettingsJson;
        runtime = h.Secrets.Decrypt(ProviderSettings.Parse(stored));
        Assert.Equal("stored-callback-secret-1", runtime.CallbackSecret);
        Assert.Equal(7, runtime.Http!.TimeoutSeconds);
        var rows = await h.Store.ListAsync(default);
        Assert.Equal("http://10.0.0.5:13013/cgi-bin/sendsms", Assert.Single(rows).Where);
    }

    [Fact]
    public async Task Create_WithoutOrWithAnUnsafeCallbackSecret_Refused()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);

        var missing = await Assert.ThrowsAsync<DomainException>(() => h.Store.CreateAsync(ProviderHarness.Admin, Kannel(secret: null), default));
        Assert.Contains("Enter a callback secret", missing.Message);
        var unsafeSecret = await Assert.ThrowsAsync<DomainException>(() => h.Store.CreateAsync(ProviderHarness.Admin, Kannel(secret: "short&bad"), default));
        Assert.Contains("The callback secret is 16 to 128", unsafeSecret.Message);
    }

    [Fact]
    public void Draft_TextLists_ParsedOrNamed()
    {
        var draft = new HttpProviderDraft
        {
            UrlTemplate = "https://gw.example/send",
            Headers = "X-Api-Key: {password}\nbroken header",
            SuccessStatusCodes = "200, abc",
            ReceiptStatusMap = "DELIVRD = Delivered\nUNDELIV = Lost",
        };
        var (settings, problems) = draft.ToSettings();

        Assert.Null(settings);
        Assert.Contains("Write each header as Name: value, one a line.", problems);
        Assert.Contains("Success codes are numbers separated by commas, e.g. 200, 202.", problems);
        Assert.Contains(problems, p => p.StartsWith("Write each receipt status as", StringComparison.Ordinal));

        draft.Headers = "X-Api-Key: {password}";
        draft.SuccessStatusCodes = "200 202";
        draft.ReceiptStatusMap = "DELIVRD = Delivered\nACCEPTD = ignore";
        (settings, problems) = draft.ToSettings();
        Assert.Empty(problems);
        Assert.Equal([200, 202], settings!.SuccessStatusCodes);
        Assert.Equal("{password}", settings.Headers["X-Api-Key"]);
        Assert.Equal(HttpReceiptStatus.Ignore, settings.Receipts.StatusMap["acceptd"]);
    }

    [Fact]
    public void LegacyFlatRow_FoldedIntoHttp_NotWrittenBack()
    {
        var legacy = ProviderSettings.Parse("""{"url":"https://gw.example/send","method":"GET","bodyTemplate":null}""");

        Assert.Equal("https://gw.example/send", legacy.Http!.UrlTemplate);
        Assert.Equal("GET", legacy.Http.Method);
        Assert.DoesNotContain("\"url\"", legacy.ToJson());
    }

    [Fact]
    public void KannelPreset_AppliedToADraft_KeepsTheTypedHost()
    {
        var draft = new HttpProviderDraft { UrlTemplate = "http://kannel.internal:14013/whatever", Username = "acme" };

        draft.Apply(HttpProviderPreset.Kannel);

        Assert.Equal(HttpProviderPreset.Kannel, draft.Preset);
        Assert.StartsWith("http://kannel.internal:14013/cgi-bin/sendsms?username={username}", draft.UrlTemplate);
        Assert.Equal("GET", draft.Method);
        Assert.Equal("acme", draft.Username);
        Assert.True(draft.DlrUrlCarriesSecret);
        Assert.Empty(draft.ToSettings().Problems);
    }
}
