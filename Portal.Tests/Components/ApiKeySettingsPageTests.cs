using System.Globalization;
using Bunit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Admin;
using Portal.Domain.Audit;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Integrations;
using Portal.Infrastructure.MessagesApi;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Api;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>Issue 19: an administrator sets a key's rate limit, daily quota and status callback, and rotates its signing secret.</summary>
public class ApiKeySettingsPageTests
{
    private sealed class Contexts(TestDatabase database) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => database.CreateContext();
    }

    private static AngleSharp.Dom.IElement Input(IRenderedComponent<ApiKeySettings> page, string testId) =>
        page.FindAll($"input[data-testid={testId}]").FirstOrDefault() ?? page.Find($"[data-testid={testId}] input");

    private static (BunitContext Ctx, ApiKeyService Keys, CallbackSecrets Secrets) Build(Contexts contexts)
    {
        var keys = new ApiKeyService(contexts, new AuditLog(contexts, TimeProvider.System), TimeProvider.System);
        var secrets = new CallbackSecrets(new EphemeralDataProtectionProvider());
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(keys);
        ctx.Services.AddSingleton(secrets);
        ctx.Services.AddSingleton(new StatusCallbackOutbox(TimeProvider.System));
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        return (ctx, keys, secrets);
    }

    [Fact]
    public async Task Save_SetsRateQuotaAndCallback_ShowsNewSecretOnce_RotationReplacesIt_InvalidUrlRefused()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var contexts = new Contexts(database);
        var (ctx, keys, secrets) = Build(contexts);
        await using var _ = ctx;
        var (key, _) = await keys.CreateAsync(ApiTestHost.Admin, "Billing", [ApiScopes.MessagesSend], 600, CancellationToken.None);

        var page = ctx.Render<ApiKeySettings>(p => p.Add(x => x.Id, key.Id));
        page.WaitForAssertion(() => Assert.Contains("Billing", page.Markup));
        Assert.Contains("No signing secret yet", page.Find("[data-testid=settings-secret-state]").TextContent);

        await page.InvokeAsync(() => Input(page, "settings-rate").Change("1200"));
        await page.InvokeAsync(() => Input(page, "settings-quota").Change("5000"));
        await page.InvokeAsync(() => Input(page, "settings-callback").Change("https://crm.example/sms-status"));
        await page.InvokeAsync(() => page.Find("[data-testid=settings-save]").Click());

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=new-callback-secret]")));
        var first = page.Find("[data-testid=new-callback-secret]").TextContent;
        Assert.Equal(ApiKeyService.SecretLength, first.Length);
        await using (var db = database.CreateContext())
        {
            var row = await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == key.Id);
            Assert.Equal((1200, 5000, "https://crm.example/sms-status"), (row.RequestsPerMinute, row.DailyQuota!.Value, row.CallbackUrl!));
            Assert.NotEqual(first, row.CallbackSecret); // stored protected
            Assert.Equal(first, secrets.TryUnprotect(row.CallbackSecret!));
            Assert.Contains(await db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.ApiKeyMessagingChanged).Select(a => a.Details).ToListAsync(),
                d => d!.Contains("rpm=1200") && d.Contains("secret=new") && !d.Contains(first));
        }
        Assert.Contains("A signing secret is set", page.Find("[data-testid=settings-secret-state]").TextContent);

        // Saving again without rotation keeps the secret and shows none; with rotation a new one replaces it.
        await page.InvokeAsync(() => page.Find("[data-testid=settings-save]").Click());
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=new-callback-secret]")));
        await page.InvokeAsync(() => Input(page, "settings-rotate").Change(true));
        await page.InvokeAsync(() => page.Find("[data-testid=settings-save]").Click());
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=new-callback-secret]")));
        var second = page.Find("[data-testid=new-callback-secret]").TextContent;
        Assert.NotEqual(first, second);
        await using (var db = database.CreateContext())
        {
            Assert.Equal(second, secrets.TryUnprotect((await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == key.Id)).CallbackSecret!));
        }

        // A relative URL is refused with the domain's message; nothing changes.
        await page.InvokeAsync(() => Input(page, "settings-callback").Change("/status"));
        await page.InvokeAsync(() => page.Find("[data-testid=settings-save]").Click());
        page.WaitForAssertion(() => Assert.Contains("absolute http(s) URL", page.Find("[data-testid=settings-error]").TextContent));
        await using (var db = database.CreateContext())
        {
            Assert.Equal("https://crm.example/sms-status", (await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == key.Id)).CallbackUrl);
        }
    }

    [Fact]
    public async Task Page_InRussian_LabelsTranslated_ListShowsQuotaAndSettingsLink()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var contexts = new Contexts(database);
        var (ctx, keys, secrets) = Build(contexts);
        await using var _ = ctx;
        var (key, _) = await keys.CreateAsync(ApiTestHost.Admin, "Billing", [ApiScopes.MessagesSend], 600, CancellationToken.None);
        await keys.ConfigureSendingAsync(ApiTestHost.Admin, key.Id, new ApiKeySendSettings(600, 2500, null, false), secrets, null, CancellationToken.None);
        var (ui, culture) = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = new CultureInfo("ru");
        try
        {
            var page = ctx.Render<ApiKeySettings>(p => p.Add(x => x.Id, key.Id));
            page.WaitForAssertion(() => Assert.Contains("Суточная квота сообщений", page.Markup));
            Assert.Contains("Адрес для уведомлений о статусах", page.Markup);
            Assert.Contains("Секрета подписи ещё нет", page.Markup);
            // Phone and desktop: one column on phones (xs=12), two from md up.
            Assert.NotEmpty(page.FindAll(".mud-grid-item-xs-12.mud-grid-item-md-6"));

            var list = ctx.Render<ApiKeys>();
            list.WaitForAssertion(() => Assert.Contains("Billing", list.Markup));
            Assert.Contains("Уведомления о статусах", list.Markup);
            Assert.Contains($"/admin/api-keys/{key.Id}", list.Find($"[data-testid=settings-{key.Prefix}]").GetAttribute("href"));
            Assert.Contains(2500.ToString("N0", CultureInfo.CurrentCulture), list.Markup);
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = (ui, culture);
        }
    }
}
