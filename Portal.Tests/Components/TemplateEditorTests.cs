using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Templates;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Providers;
using Portal.Domain.Templates;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Templates;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

public class TemplateEditorTests
{
    private static async Task<(BunitContext Context, TestDatabase Database)> SetUpAsync(string role)
    {
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var db = database.CreateContext())
        {
            db.Providers.Add(new SmsProvider("main", ProviderKind.Smpp, "{}") { DefaultPartPrice = 1.25m });
            db.Clients.Add(new Client(PhoneNumber.Parse("+79161234567"), "Борис", "Петров", DateTime.UtcNow) { ExternalId = "CRM-42" });
            await db.SaveChangesAsync();
        }
        TemplateEditor.Debounce = TimeSpan.FromMilliseconds(10);
        var clock = TimeProvider.System;
        var engine = new TemplateEngine();
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(clock);
        ctx.Services.AddSingleton(engine);
        ctx.Services.AddSingleton(new TemplateStore(database.Factory, engine, new Portal.Infrastructure.Audit.AuditLog(database.Factory, clock), clock));
        ctx.Services.AddSingleton(new Portal.Infrastructure.Identity.DepartmentScopes(database.Factory));
        var audit = new AuditLog(database.Factory, clock);
        ctx.Services.AddSingleton(audit);
        ctx.Services.AddSingleton(new TemplatePreview(database.Factory, audit, new Portal.Infrastructure.Providers.RouteQuote(database.Factory, clock), clock));
        ctx.AddAuthorization().SetAuthorized("editor@portal.local").SetRoles(role);
        return (ctx, database);
    }

    private static Task TypeAsync(IRenderedComponent<TemplateEditor> page, string text) =>
        page.InvokeAsync(() => page.FindComponents<MudTextField<string>>().Single(f => f.Instance.Lines > 1).Instance.ValueChanged.InvokeAsync(text));

    [Fact]
    public async Task SyntaxError_IsShownWithLineAndColumn()
    {
        var (ctx, database) = await SetUpAsync(Roles.CampaignManager);
        await using var _ = database;
        await using var __ = ctx;
        var page = ctx.Render<TemplateEditor>();

        await TypeAsync(page, "Hello\n{{ client.first_name ");

        page.WaitForAssertion(() => Assert.Contains("Line 2, column", page.Find("[data-testid=template-error]").TextContent), TimeSpan.FromSeconds(5));
        Assert.Empty(page.FindAll("[data-testid=template-preview]"));
    }

    [Fact]
    public async Task LatinText_IsGsm7_AndLongTextCostsTwoParts()
    {
        var (ctx, database) = await SetUpAsync(Roles.CampaignManager);
        await using var _ = database;
        await using var __ = ctx;
        var page = ctx.Render<TemplateEditor>();

        await TypeAsync(page, new string('a', 161));

        page.WaitForAssertion(() => Assert.Equal("GSM-7", page.Find("[data-testid=template-encoding]").TextContent.Trim()), TimeSpan.FromSeconds(5));
        Assert.Contains("2", page.Find("[data-testid=template-parts]").TextContent);
        Assert.Contains("161", page.Find("[data-testid=template-length]").TextContent);
        Assert.Contains("2.50", page.Find("[data-testid=template-cost]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=template-ucs2]"));
    }

    [Fact]
    public async Task CyrillicMergeValue_SwitchesToUcs2_AndMarksTheCharacters()
    {
        var (ctx, database) = await SetUpAsync(Roles.CampaignManager);
        await using var _ = database;
        await using var __ = ctx;
        var page = ctx.Render<TemplateEditor>();

        // The sample client is "Анна": the Latin text turns UCS-2 because of the name.
        await TypeAsync(page, "Hello {{ client.first_name }}!");

        page.WaitForAssertion(() => Assert.Equal("UCS-2", page.Find("[data-testid=template-encoding]").TextContent.Trim()), TimeSpan.FromSeconds(5));
        Assert.Equal("Анна", page.Find("[data-testid=template-preview] mark").TextContent);
        Assert.Contains("А", page.Find("[data-testid=template-ucs2]").TextContent);
    }

    [Fact]
    public async Task Preview_ForAReaderWithoutPersonalData_IsMasked_AndNotAudited()
    {
        var (ctx, database) = await SetUpAsync(Roles.Analyst);
        await using var _ = database;
        await using var __ = ctx;
        var page = ctx.Render<TemplateEditor>();
        await TypeAsync(page, "Hi {{ client.first_name }} {{ client.last_name }}");
        await page.InvokeAsync(() => page.Find("[data-testid=preview-random] button, button[data-testid=preview-random]").Click());

        page.WaitForAssertion(() => Assert.Equal("Hi Б**** П*****", page.Find("[data-testid=template-preview]").TextContent), TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("1234567", page.Find("[data-testid=preview-client]").TextContent);
        await using var db = database.CreateContext();
        Assert.Empty(db.AuditEntries.Where(a => a.Action == AuditActions.PersonalDataRead));
    }

    [Fact]
    public async Task Preview_ForAReaderWithPersonalData_IsClear_AndAudited()
    {
        var (ctx, database) = await SetUpAsync(Roles.CampaignManager);
        await using var _ = database;
        await using var __ = ctx;
        var page = ctx.Render<TemplateEditor>();
        await TypeAsync(page, "Hi {{ client.first_name }}");
        await page.InvokeAsync(() => page.Find("button[data-testid=preview-random]").Click());

        page.WaitForAssertion(() => Assert.Equal("Hi Борис", page.Find("[data-testid=template-preview]").TextContent), TimeSpan.FromSeconds(5));
        await using var db = database.CreateContext();
        Assert.Contains(db.AuditEntries, a => a.Action == AuditActions.PersonalDataRead && a.EntityType == "Client");
    }

    [Fact]
    public async Task Editor_SpeaksRussian()
    {
        var (ctx, database) = await SetUpAsync(Roles.CampaignManager);
        await using var _ = database;
        await using var __ = ctx;
        var previous = CultureInfo.CurrentUICulture;
        // Set here, not in the async set-up: a culture set inside an awaited method does not flow back.
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("ru");
        try
        {
            var page = ctx.Render<TemplateEditor>();
            await TypeAsync(page, "{% if %}");
            page.WaitForAssertion(() => Assert.Contains("Строка 1, столбец", page.Find("[data-testid=template-error]").TextContent), TimeSpan.FromSeconds(5));
            Assert.Contains("Новый шаблон", page.Markup);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    [Fact]
    public async Task Cost_IsAtTheRouteAutomaticRoutingTakes_AndNamesTheProvider()
    {
        // Issue 20 item 4: the editor priced at the first provider (the simulator, 0.35) while messages would go through a real one at 0.10.
        var (ctx, database) = await SetUpAsync(Roles.CampaignManager);
        await using var _ = database;
        await using var __ = ctx;
        await using (var db = database.CreateContext())
        {
            var main = db.Providers.Single();
            db.Providers.Remove(main);
            db.Providers.Add(new SmsProvider(Portal.Infrastructure.Sending.EmbeddedSmsc.ProviderName, ProviderKind.Smpp, "{}") { DefaultPartPrice = 0.35m });
            db.Providers.Add(new SmsProvider("Provider X", ProviderKind.Smpp, "{}") { DefaultPartPrice = 0.10m });
            await db.SaveChangesAsync();
        }
        var page = ctx.Render<TemplateEditor>();

        await TypeAsync(page, new string('a', 161));

        page.WaitForAssertion(() => Assert.Equal("≈ 0.20 RUB per message via Provider X", page.Find("[data-testid=template-cost]").TextContent.Trim()), TimeSpan.FromSeconds(5));
        // Item 5: the preview says whose language money and dates are written in.
        Assert.Contains("Russian (1 234,50 ₽)", page.Find("[data-testid=preview-language]").TextContent);
    }

    [Fact]
    public async Task Ucs2Characters_AreSeparateMarks_SoTheListWraps()
    {
        // Issue 20 item 12: run together, the marks were one unbreakable word wider than a 1,366 px window.
        var (ctx, database) = await SetUpAsync(Roles.CampaignManager);
        await using var _ = database;
        await using var __ = ctx;
        var page = ctx.Render<TemplateEditor>();

        await TypeAsync(page, "абвгдеёжзийклмнопрстуфхцчшщъыьэюя");

        page.WaitForAssertion(() => Assert.Equal(30, page.FindAll("[data-testid=template-ucs2] mark").Count), TimeSpan.FromSeconds(5));
        var list = page.Find("[data-testid=template-ucs2]");
        Assert.Contains("flex-wrap", list.GetAttribute("class"));
    }
}
