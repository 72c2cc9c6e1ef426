using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Segments;
using Portal.Domain.Access;
using Portal.Domain.Segments;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;
using Portal.Infrastructure.Segments;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

public class SegmentEditorTests
{
    private static readonly DateTime Reference = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task ContradictoryConditions_CountZero_TheEditorWarns()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var db = database.CreateContext())
        {
            await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(0, 200, Reference), null, default);
        }
        var clock = TimeProvider.System;
        var audience = new SegmentAudience(database.Factory, clock);
        var store = new SegmentStore(database.Factory, audience, clock);
        var contradiction = SegmentRuleJson.Parse("""
            {"version":1,"root":{"children":[
              {"type":"condition","criterion":"gender","operator":"equals","value":"Female"},
              {"type":"condition","criterion":"gender","operator":"equals","value":"Male"}]}}
            """);
        var (id, _) = await store.SaveAsync(null, "Female and Male", contradiction, null, "test", default);
        var (everyoneId, _) = await store.SaveAsync(null, "Everyone", SegmentRule.Everyone(), null, "test", default);
        SegmentEditor.Debounce = TimeSpan.FromMilliseconds(20);

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(audience);
        ctx.Services.AddSingleton(store);
        ctx.Services.AddSingleton(new AuditLog(database.Factory, clock));
        ctx.Services.AddSingleton(new DepartmentScopes(database.Factory));
        ctx.AddAuthorization().SetAuthorized("campaigns@portal.local").SetRoles(Roles.CampaignManager);

        var empty = ctx.Render<SegmentEditor>(p => p.Add(x => x.Id, id));
        empty.WaitForAssertion(() => Assert.Contains("contradict", empty.Find("[data-testid=empty-audience]").TextContent), TimeSpan.FromSeconds(10));
        var full = ctx.Render<SegmentEditor>(p => p.Add(x => x.Id, everyoneId));
        full.WaitForAssertion(() => Assert.DoesNotContain(full.Find("[data-testid=audience-count]").TextContent.Trim(), new[] { "—", "0" }), TimeSpan.FromSeconds(10));
        Assert.Empty(full.FindAll("[data-testid=empty-audience]"));
    }

    [Fact]
    public async Task Builder_AddThreeConditions_TheLiveCountFollows()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var db = database.CreateContext())
        {
            await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(0, 600, Reference), null, default);
        }
        var clock = TimeProvider.System;
        var audience = new SegmentAudience(database.Factory, clock);
        SegmentEditor.Debounce = TimeSpan.FromMilliseconds(20);

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(audience);
        ctx.Services.AddSingleton(new SegmentStore(database.Factory, audience, clock));
        ctx.Services.AddSingleton(new AuditLog(database.Factory, clock));
        ctx.Services.AddSingleton(new DepartmentScopes(database.Factory));
        ctx.AddAuthorization().SetAuthorized("campaigns@portal.local").SetRoles(Roles.CampaignManager);

        var page = ctx.Render<SegmentEditor>();
        string Count() => page.Find("[data-testid=audience-count]").TextContent.Replace(",", "").Replace("\u00a0", "").Trim();
        async Task<string> ExpectedAsync(string conditions) =>
            (await audience.CountAsync(SegmentRuleJson.Parse("{\"version\":1,\"root\":{\"children\":[" + conditions + "]}}"), null, default)).ToString();

        var everyone = await ExpectedAsync("");
        page.WaitForAssertion(() => Assert.Equal(everyone, Count()), TimeSpan.FromSeconds(10));

        async Task AddAsync(Func<RuleConditionEditor, IRenderedComponent<RuleConditionEditor>, Task> fill)
        {
            await page.InvokeAsync(() => page.Find("[data-testid=add-condition]").Click());
            var editor = page.FindComponents<RuleConditionEditor>()[^1];
            await fill(editor.Instance, editor);
        }

        // 1: gender = Female
        await AddAsync(async (_, editor) =>
        {
            await page.InvokeAsync(() => editor.FindComponents<MudSelect<string>>()[0].Instance.ValueChanged.InvokeAsync(Criteria.Gender));
            await page.InvokeAsync(() => editor.FindComponents<MudSelect<string>>()[1].Instance.ValueChanged.InvokeAsync("Female"));
        });
        var female = await ExpectedAsync("""{"type":"condition","criterion":"gender","operator":"equals","value":"Female"}""");
        page.WaitForAssertion(() => Assert.Equal(female, Count()), TimeSpan.FromSeconds(10));
        Assert.NotEqual(everyone, female);

        // 2: region any of MOW, MOS
        await AddAsync(async (_, editor) =>
        {
            await page.InvokeAsync(() => editor.FindComponents<MudSelect<string>>()[0].Instance.ValueChanged.InvokeAsync(Criteria.Region));
            await page.InvokeAsync(() => editor.FindComponent<MudSelect<RuleOperator>>().Instance.ValueChanged.InvokeAsync(RuleOperator.In));
            await page.InvokeAsync(() => editor.FindComponents<MudSelect<string>>()[1].Instance.SelectedValuesChanged.InvokeAsync(["MOW", "MOS"]));
        });
        var moscow = await ExpectedAsync("""
            {"type":"condition","criterion":"gender","operator":"equals","value":"Female"},
            {"type":"condition","criterion":"region","operator":"in","value":["MOW","MOS"]}
            """);
        page.WaitForAssertion(() => Assert.Equal(moscow, Count()), TimeSpan.FromSeconds(10));
        Assert.NotEqual(female, moscow);
        // The picked regions read as names, not codes (issue 20, item 10).
        var picked = string.Join("|", page.FindComponents<RuleConditionEditor>()[1].FindComponents<MudSelect<string>>()[1].FindAll("input").Select(i => i.GetAttribute("value")));
        Assert.Contains("Moscow", picked);
        Assert.DoesNotContain("MOW", picked);
        Assert.DoesNotContain("MOS", picked);

        // 3: advertising consent = yes
        await AddAsync(async (_, editor) =>
        {
            await page.InvokeAsync(() => editor.FindComponents<MudSelect<string>>()[0].Instance.ValueChanged.InvokeAsync(Criteria.AdvertisingConsent));
            await page.InvokeAsync(() => editor.FindComponent<MudSelect<bool?>>().Instance.ValueChanged.InvokeAsync(true));
        });
        var consenting = await ExpectedAsync("""
            {"type":"condition","criterion":"gender","operator":"equals","value":"Female"},
            {"type":"condition","criterion":"region","operator":"in","value":["MOW","MOS"]},
            {"type":"condition","criterion":"advertisingConsent","operator":"equals","value":true}
            """);
        page.WaitForAssertion(() => Assert.Equal(consenting, Count()), TimeSpan.FromSeconds(10));
        Assert.NotEqual(moscow, consenting);
        Assert.Equal(3, page.FindComponents<RuleConditionEditor>().Count);
        Assert.Empty(page.FindAll("[data-testid=rule-errors]"));

        // An incomplete condition shows the reason instead of a count.
        await page.InvokeAsync(() => page.Find("[data-testid=add-condition]").Click());
        page.WaitForAssertion(() => Assert.Contains("Choose a criterion", page.Find("[data-testid=rule-errors]").TextContent), TimeSpan.FromSeconds(10));
    }
}
