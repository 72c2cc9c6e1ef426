using System.Globalization;
using System.Text.Json.Nodes;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Analytics;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Domain.Segments;
using Portal.Infrastructure.Analytics;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Segments;
using Portal.Tests.Infrastructure.Bi;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>
/// The analytics pages in isolation (issue 21): the across-campaigns report's filters, trend table and
/// CSV downloads, and a campaign's results by saved audience with each refusal shown.
/// </summary>
public sealed class AnalyticsPagesTests
{
    private static (BunitContext Ctx, IRenderedComponent<MudPopoverProvider> Popovers) Context(BiWorld world, string role)
    {
        var factory = world.Database.Factory;
        var results = new CampaignResults(factory, Options.Create(new AnalyticsOptions()), world.Time);
        var scopes = new DepartmentScopes(factory);
        var segmentAudience = new SegmentAudience(factory, world.Time);
        var segments = new SegmentStore(factory, segmentAudience, world.Time);
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(results);
        ctx.Services.AddSingleton(new CampaignsReport(factory, results, world.Time));
        ctx.Services.AddSingleton(new CampaignCatalog(factory, new AuditLog(factory, world.Time), scopes, world.Time));
        ctx.Services.AddSingleton(scopes);
        ctx.Services.AddSingleton(segments);
        ctx.Services.AddSingleton(new AudienceResults(factory, segments, segmentAudience));
        ctx.AddAuthorization().SetAuthorized(role.ToLowerInvariant() + "@portal.local").SetRoles(role);
        ctx.Renderer.SetRendererInfo(new RendererInfo("Server", true));
        return (ctx, ctx.Render<MudPopoverProvider>());
    }

    private static string Count(IRenderedComponent<AnalyticsPage> page) => page.Find("[data-testid=report-count-value]").TextContent.Trim();

    [Fact]
    public async Task Report_FiltersNarrowTheCampaigns_TheTrendShowsAsATable_AndBothTablesDownloadAsShown()
    {
        await using var world = await BiWorld.CreateAsync(DatabaseProvider.Sqlite, clients: 200);
        var (ctx, popovers) = Context(world, Roles.Administrator);
        await using var _ = ctx;
        var module = ctx.JSInterop.SetupModule("./analytics.js");
        module.SetupVoid("download", _ => true).SetVoidResult();
        var page = ctx.Render<AnalyticsPage>();
        page.WaitForAssertion(() => Assert.Contains("Black Friday", page.Find("[data-testid=report-table]").TextContent));

        var from = page.FindComponents<MudDatePicker>()[0];
        var to = page.FindComponents<MudDatePicker>()[1];
        await page.InvokeAsync(() => from.Instance.DateChanged.InvokeAsync(new DateTime(2026, 11, 3)));
        page.WaitForAssertion(() => Assert.DoesNotContain("Black Friday", page.Find("[data-testid=report-table]").TextContent));
        await page.InvokeAsync(() => from.Instance.DateChanged.InvokeAsync(new DateTime(2026, 10, 1)));
        await page.InvokeAsync(() => to.Instance.DateChanged.InvokeAsync(new DateTime(2026, 11, 30)));
        page.WaitForAssertion(() => Assert.Contains("Black Friday", page.Find("[data-testid=report-table]").TextContent));
        var all = Count(page);

        // Each filter narrows the list; set back, the campaign returns.
        var selects = page.FindComponents<MudSelect<int?>>();
        var department = selects.Single(s => s.Instance.Label == "Department");
        var provider = selects.Single(s => s.Instance.Label == "Provider");
        var purpose = page.FindComponent<MudSelect<MessagePurpose?>>();
        var author = page.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Author");
        await page.InvokeAsync(() => department.Instance.OpenMenu());
        popovers.WaitForAssertion(() => Assert.Contains("Retail", popovers.Markup));

        await page.InvokeAsync(() => department.Instance.ValueChanged.InvokeAsync(world.DepartmentId + 1000));
        page.WaitForAssertion(() => Assert.Equal("0", Count(page)));
        await page.InvokeAsync(() => department.Instance.ValueChanged.InvokeAsync(world.DepartmentId));
        page.WaitForAssertion(() => Assert.Equal(all, Count(page)));

        await page.InvokeAsync(() => purpose.Instance.ValueChanged.InvokeAsync(MessagePurpose.Service));
        page.WaitForAssertion(() => Assert.DoesNotContain("Black Friday", page.Find("[data-testid=report-table]").TextContent));
        await page.InvokeAsync(() => purpose.Instance.ValueChanged.InvokeAsync(MessagePurpose.Advertising));
        page.WaitForAssertion(() => Assert.Contains("Black Friday", page.Find("[data-testid=report-table]").TextContent));

        await page.InvokeAsync(() => provider.Instance.ValueChanged.InvokeAsync(world.ProviderId + 1000));
        page.WaitForAssertion(() => Assert.DoesNotContain("Black Friday", page.Find("[data-testid=report-table]").TextContent));
        await page.InvokeAsync(() => provider.Instance.ValueChanged.InvokeAsync(world.ProviderId));
        page.WaitForAssertion(() => Assert.Contains("Black Friday", page.Find("[data-testid=report-table]").TextContent));

        await page.InvokeAsync(() => author.Instance.ValueChanged.InvokeAsync("nobody@portal.local"));
        page.WaitForAssertion(() => Assert.Equal("0", Count(page)));
        await page.InvokeAsync(() => author.Instance.ValueChanged.InvokeAsync("  author@portal.local "));
        page.WaitForAssertion(() => Assert.Contains("Black Friday", page.Find("[data-testid=report-table]").TextContent));

        await page.InvokeAsync(() => page.FindComponent<MudNumericField<int>>().Instance.ValueChanged.InvokeAsync(7));
        page.WaitForAssertion(() => Assert.Contains("Active client pool (7 days)", page.Find("[data-testid=report-pool]").TextContent));

        // The trend as a table, by month: the campaign's month with its delivered count.
        Assert.NotEmpty(page.FindAll("[data-testid=trend-chart]"));
        var switches = page.FindComponents<MudSwitch<bool>>();
        await page.InvokeAsync(() => switches.Single(s => s.Instance.Label == "Table").Instance.ValueChanged.InvokeAsync(true));
        await page.InvokeAsync(() => switches.Single(s => s.Instance.Label == "By month").Instance.ValueChanged.InvokeAsync(true));
        var trend = page.WaitForElement("[data-testid=trend-table]");
        Assert.Empty(page.FindAll("[data-testid=trend-chart]"));
        Assert.Contains("Period", trend.TextContent);
        Assert.Contains("2026-11", trend.TextContent);
        var shownRow = trend.QuerySelectorAll("tbody tr")[0].QuerySelectorAll("td").Select(td => td.TextContent).ToArray();

        await page.InvokeAsync(() => page.Find("[data-testid=trend-csv]").Click());
        var trendCsv = Assert.Single(module.Invocations["download"]);
        Assert.Equal("trend-monthly.csv", trendCsv.Arguments[0]);
        var trendText = (string)trendCsv.Arguments[1]!;
        Assert.StartsWith("\uFEFFPeriod,Campaigns,", trendText, StringComparison.Ordinal);
        Assert.Contains(string.Join(',', shownRow.Select(Portal.Hosting.CsvCell.Escape)), trendText);

        await page.InvokeAsync(() => page.Find("[data-testid=report-csv]").Click());
        var campaignsCsv = module.Invocations["download"][^1];
        Assert.Equal("campaigns.csv", campaignsCsv.Arguments[0]);
        var campaignsText = (string)campaignsCsv.Arguments[1]!;
        Assert.Contains("Campaign,Started,Recipients", campaignsText);
        Assert.Contains("Black Friday", campaignsText);
    }

    [Fact]
    public async Task Results_ByAudience_HintsToPick_ShowsInAndOut_AndSaysWhyAnAudienceCannotBeShown()
    {
        await using var world = await BiWorld.CreateAsync(DatabaseProvider.Sqlite, clients: 200);
        int everyone, phones;
        await using (var db = world.Database.CreateContext())
        {
            var byPhone = SegmentRule.Everyone();
            byPhone.Root.Children.Add(new RuleCondition { Criterion = Criteria.PhonePrefix, Operator = RuleOperator.StartsWith, Value = JsonValue.Create("+7900") });
            var a = new Segment("Everyone here", null, SegmentRuleJson.Serialize(SegmentRule.Everyone()), "test", BiWorld.SentAt);
            var b = new Segment("Phones 900", null, SegmentRuleJson.Serialize(byPhone), "test", BiWorld.SentAt);
            db.Segments.AddRange(a, b);
            await db.SaveChangesAsync();
            (everyone, phones) = (a.Id, b.Id);
        }
        var (ctx, popovers) = Context(world, Roles.Analyst);
        await using var _ = ctx;
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();

        navigation.NavigateTo(navigation.GetUriWithQueryParameter("by", "audience"));
        var page = ctx.Render<CampaignResultsPage>(p => p.Add(x => x.Id, world.CampaignId));

        page.WaitForAssertion(() => Assert.Contains("Pick a saved audience", page.Find("[data-testid=results-audience-hint]").TextContent));
        var audience = page.FindComponents<MudSelect<int?>>().Single(s => s.Instance.Label == "Saved audience");
        await page.InvokeAsync(() => audience.Instance.OpenMenu());
        popovers.WaitForAssertion(() => Assert.Contains("Phones 900", popovers.Markup));
        Assert.Contains("Everyone here", popovers.Markup);

        await page.InvokeAsync(() => audience.Instance.ValueChanged.InvokeAsync(null));
        Assert.NotEmpty(page.FindAll("[data-testid=results-audience-hint]"));

        await page.InvokeAsync(() => audience.Instance.ValueChanged.InvokeAsync(everyone));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=results-audience-hint]")));
        Assert.Empty(page.FindAll("[data-testid=results-audience-error]"));
        Assert.Contains($"audience={everyone}", navigation.Uri);
        Assert.Contains("by=audience", navigation.Uri);
        var chart = page.FindComponent<MudChart<double>>();
        Assert.Equal(["Inside the audience", "Outside the audience"], chart.Instance.ChartLabels);
        Assert.Contains($"audience={everyone}", page.Find("[data-testid=results-csv]").GetAttribute("href"));

        // An analyst does not see personal data: an audience by phone prefix is refused with the reason.
        await page.InvokeAsync(() => audience.Instance.ValueChanged.InvokeAsync(phones));
        page.WaitForAssertion(() => Assert.Equal(SegmentRuleAccess.PhoneCriterionRefused, page.Find("[data-testid=results-audience-error]").TextContent.Trim()));

        await page.InvokeAsync(() => audience.Instance.ValueChanged.InvokeAsync(phones + 1000));
        page.WaitForAssertion(() => Assert.Equal("This audience does not exist or belongs to another department.",
            page.Find("[data-testid=results-audience-error]").TextContent.Trim()));
        Assert.Contains($"audience={phones + 1000}", navigation.Uri);
    }
}

/// <summary>The audit log page's filters (issue 21): each one reloads the server-paged grid and the export link follows.</summary>
public sealed class AuditTrailPageTests
{
    private sealed class At(DateTime utc) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(utc, TimeSpan.Zero);
    }

    private static System.Security.Claims.ClaimsPrincipal User(string name) =>
        new(new System.Security.Claims.ClaimsIdentity([new(System.Security.Claims.ClaimTypes.Name, name)], "test"));

    [Fact]
    public async Task Filters_ByUserActionAndDates_ReloadTheGrid_AndTheExportLinkCarriesThem()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await new AuditLog(database.Factory, new At(new DateTime(2026, 11, 1, 10, 0, 0, DateTimeKind.Utc)))
            .WriteAsync(User("alice@portal.local"), Portal.Domain.Audit.AuditActions.ProviderCreated, "SmsProvider", "1", "name=Alpha");
        await new AuditLog(database.Factory, new At(new DateTime(2026, 11, 10, 10, 0, 0, DateTimeKind.Utc)))
            .WriteAsync(User("bob@portal.local"), Portal.Domain.Audit.AuditActions.RouteLookup, "Phone", null, "operator=MTS");
        await new AuditLog(database.Factory, new At(new DateTime(2026, 11, 20, 10, 0, 0, DateTimeKind.Utc)))
            .WriteAsync(User("alice@portal.local"), Portal.Domain.Audit.AuditActions.RouteLookup, "Phone", null, "operator=T2");

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton<IDbContextFactory<PortalDbContext>>(database.Factory);
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        var popovers = ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<Portal.Components.Pages.Audit.AuditTrail>();
        string[] Details() => page.FindAll("[data-testid=audit-grid] tbody tr").Select(r => r.TextContent).Where(t => t.Contains("operator=") || t.Contains("name=")).ToArray();
        string Export() => page.Find("[data-testid=audit-export]").GetAttribute("href") ?? "";
        page.WaitForAssertion(() => Assert.Equal(3, Details().Length));
        Assert.Equal("/audit/export.csv", Export());

        await page.InvokeAsync(() => page.FindComponent<MudTextField<string>>().Instance.ValueChanged.InvokeAsync("alice"));
        page.WaitForAssertion(() => Assert.Equal(2, Details().Length));
        Assert.All(Details(), d => Assert.Contains("alice@portal.local", d));
        Assert.Equal("/audit/export.csv?user=alice", Export());

        var action = page.FindComponent<MudSelect<string>>();
        await page.InvokeAsync(() => action.Instance.OpenMenu());
        popovers.WaitForAssertion(() => Assert.Contains("Route looked up", popovers.Markup));
        await page.InvokeAsync(() => action.Instance.ValueChanged.InvokeAsync(Portal.Domain.Audit.AuditActions.RouteLookup));
        page.WaitForAssertion(() => Assert.Contains("operator=T2", Assert.Single(Details())));

        await page.InvokeAsync(() => action.Instance.ValueChanged.InvokeAsync(null));
        await page.InvokeAsync(() => page.FindComponent<MudTextField<string>>().Instance.ValueChanged.InvokeAsync(null));
        var dates = page.FindComponents<MudDatePicker>();
        await page.InvokeAsync(() => dates[0].Instance.DateChanged.InvokeAsync(new DateTime(2026, 11, 5)));
        page.WaitForAssertion(() => Assert.Equal(2, Details().Length));
        await page.InvokeAsync(() => dates[1].Instance.DateChanged.InvokeAsync(new DateTime(2026, 11, 10)));
        page.WaitForAssertion(() => Assert.Contains("operator=MTS", Assert.Single(Details())));
        Assert.Equal("/audit/export.csv?from=2026-11-05&to=2026-11-10", Export());
    }
}

/// <summary>The results table's words for verdicts, dimensions and values (issue 21): what the page and the CSV show.</summary>
public sealed class ResultsTableTests
{
    private static readonly Microsoft.Extensions.Localization.IStringLocalizer<Portal.Resources.SharedResource> L =
        new ServiceCollection().AddLogging().AddLocalization().BuildServiceProvider()
            .GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<Portal.Resources.SharedResource>>();

    [Theory]
    [InlineData(Portal.Domain.Analytics.UpliftVerdict.NoControlGroup, "No control group")]
    [InlineData(Portal.Domain.Analytics.UpliftVerdict.NoSentGroup, "Nothing sent")]
    [InlineData(Portal.Domain.Analytics.UpliftVerdict.NotSignificant, "Not significant")]
    [InlineData(Portal.Domain.Analytics.UpliftVerdict.SignificantIncrease, "Significant increase")]
    [InlineData(Portal.Domain.Analytics.UpliftVerdict.SignificantDecrease, "Significant decrease")]
    [InlineData((Portal.Domain.Analytics.UpliftVerdict)99, "99")]
    public void Verdict_InWords(Portal.Domain.Analytics.UpliftVerdict verdict, string expected)
    {
        var (ui, culture) = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = new CultureInfo("en");
        try
        {
            Assert.Equal(expected, ResultsTable.Verdict(verdict, L));
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = (ui, culture);
        }
    }

    [Theory]
    [InlineData(ResultDimensions.Loyalty, "2", "Gold")]
    [InlineData(ResultDimensions.Loyalty, "gold", "gold")]
    [InlineData(ResultDimensions.Provider, "5", "MegaSMS")]
    [InlineData(ResultDimensions.Provider, "6", "#6")]
    [InlineData(ResultDimensions.LocalHour, "9", "9:00")]
    [InlineData(ResultDimensions.Operator, "MTS", "MTS")]
    [InlineData(ResultDimensions.Gender, "", "Not known")]
    public void ValueLabel_ForPeople(string dimension, string value, string expected)
    {
        var (ui, culture) = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = new CultureInfo("en");
        try
        {
            Assert.Equal(expected, ResultsTable.ValueLabel(dimension, value, L, new Dictionary<string, string> { ["5"] = "MegaSMS" }));
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = (ui, culture);
        }
    }

    [Fact]
    public void ProviderValue_WithoutTheProviderList_IsItsNumber_AndAnUnknownDimensionKeepsItsKey()
    {
        Assert.Equal("#5", ResultsTable.ValueLabel(ResultDimensions.Provider, "5", L));
        Assert.Equal("channel", ResultsTable.DimensionLabel("channel", L));
    }
}
