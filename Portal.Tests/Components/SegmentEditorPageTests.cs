using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using MudBlazor.Services;
using Portal.Components.Pages.Segments;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Segments;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;
using Portal.Infrastructure.Segments;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>
/// The audience editor page around the rule builder: loading (missing, unreadable), exclusions,
/// the sample, "why is this client in or out", and saving (new, empty, refused).
/// </summary>
public sealed class SegmentEditorPageTests : IAsyncDisposable
{
    private static readonly DateTime Reference = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    private TestDatabase _database = default!;
    private BunitContext _ctx = default!;
    private SegmentAudience _audience = default!;
    private SegmentStore _store = default!;
    private IRenderedComponent<MudPopoverProvider> _popovers = default!;
    private int _listId;
    private int _otherId;
    private string _listedClient = "";

    private async Task SetUpAsync(string role)
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var db = _database.CreateContext())
        {
            await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(0, 60, Reference), null, default);
        }
        await using (var db = _database.CreateContext())
        {
            var list = new StaticList("Callbacks", null, "test", Reference);
            db.StaticLists.Add(list);
            await db.SaveChangesAsync();
            var members = await db.Clients.Where(c => c.OptedOutAt == null).OrderBy(c => c.Id).Take(5).Select(c => new { c.Id, c.ExternalId }).ToListAsync();
            db.StaticListMembers.AddRange(members.Select(m => new StaticListMember(list.Id, m.Id)));
            list.MemberCount = members.Count;
            await db.SaveChangesAsync();
            (_listId, _listedClient) = (list.Id, members[0].ExternalId!);
        }
        var clock = TimeProvider.System;
        _audience = new SegmentAudience(_database.Factory, clock);
        _store = new SegmentStore(_database.Factory, _audience, clock);
        (_otherId, _) = await _store.SaveAsync(null, "Everyone else", SegmentRule.Everyone(), null, "test", default);
        SegmentEditor.Debounce = TimeSpan.FromMilliseconds(20);

        _ctx = new BunitContext();
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        _ctx.Services.AddLocalization();
        _ctx.Services.AddSingleton(_audience);
        _ctx.Services.AddSingleton(_store);
        _ctx.Services.AddSingleton(new AuditLog(_database.Factory, clock));
        _ctx.Services.AddSingleton(new DepartmentScopes(_database.Factory));
        _ctx.AddAuthorization().SetAuthorized("campaigns@portal.local").SetRoles(role);
        _popovers = _ctx.Render<MudPopoverProvider>();
    }

    public async ValueTask DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _database.DisposeAsync();
    }

    private IEnumerable<Snackbar> Snackbars => _ctx.Services.GetRequiredService<ISnackbar>().ShownSnackbars;

    private IRenderedComponent<SegmentEditor> Open(int? id = null) =>
        _ctx.Render<SegmentEditor>(p => p.Add(x => x.Id, id));

    private static string Count(IRenderedComponent<SegmentEditor> page) =>
        page.Find("[data-testid=audience-count]").TextContent.Replace(",", "").Replace("\u00a0", "").Trim();

    private static void WaitForCount(IRenderedComponent<SegmentEditor> page, int expected) =>
        page.WaitForAssertion(() => Assert.Equal(expected.ToString(), Count(page)), TimeSpan.FromSeconds(10));

    private static Task TypeAsync(IRenderedComponent<SegmentEditor> page, string label, string text) =>
        page.InvokeAsync(() => page.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == label).Instance.ValueChanged.InvokeAsync(text));

    private static Task ClickAsync(IRenderedComponent<SegmentEditor> page, string testId) =>
        page.InvokeAsync(() => page.Find($"button[data-testid={testId}]").Click());

    private static IRenderedComponent<MudSelect<int>> Exclusion(IRenderedComponent<SegmentEditor> page, string label) =>
        page.FindComponents<MudSelect<int>>().Single(s => s.Instance.Label == label);

    /// <summary>What an exclusion select offers (its items render in the popover provider while it is open).</summary>
    private async Task<IReadOnlyList<(int, string)>> OfferedAsync(IRenderedComponent<SegmentEditor> page, string label)
    {
        var select = Exclusion(page, label);
        await page.InvokeAsync(() => select.Instance.OpenMenu());
        var items = _popovers.FindComponents<MudSelectItem<int>>().Select(i => (i.Instance.Value, string.Concat(i.Nodes.Select(n => n.TextContent)).Trim())).ToList();
        await page.InvokeAsync(() => select.Instance.CloseMenu());
        return items;
    }

    private Task<int> ExpectedAsync(SegmentRule rule) => _audience.CountAsync(rule, null, default);

    [Fact]
    public async Task UnknownAudience_SaysItDoesNotExist()
    {
        await SetUpAsync(Roles.CampaignManager);

        var page = Open(9999);

        page.WaitForAssertion(() => Assert.Contains("This audience does not exist.", page.Find(".mud-alert-message").TextContent), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll("[data-testid=audience-count]"));
    }

    [Fact]
    public async Task StoredRuleThatNoLongerReads_ShowsItsReasons_AndCannotBeSavedOverUntilEdited()
    {
        await SetUpAsync(Roles.CampaignManager);
        int id;
        await using (var db = _database.CreateContext())
        {
            var segment = new Segment("From a newer Portal", null, """{"version":2,"root":{"children":[]}}""", "test", Reference);
            db.Segments.Add(segment);
            await db.SaveChangesAsync();
            id = segment.Id;
        }

        var page = Open(id);

        page.WaitForAssertion(() => Assert.Contains("Rule format version 2 is not supported", page.Find("[data-testid=rule-errors]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal("—", Count(page));
        Assert.True(page.Find("button[data-testid=segment-save]").HasAttribute("disabled"));

        // Building a new rule replaces the unreadable one: it is counted and may be saved.
        await page.InvokeAsync(() => page.Find("button[data-testid=add-group]").Click());
        await page.InvokeAsync(() => page.Find("button[aria-label='Remove group']").Click());
        WaitForCount(page, await ExpectedAsync(SegmentRule.Everyone()));
        Assert.Empty(page.FindAll("[data-testid=rule-errors]"));
        Assert.False(page.Find("button[data-testid=segment-save]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Exclusions_ShrinkTheCount_ByName_AndAnAudienceIsNotOfferedToExcludeItself()
    {
        await SetUpAsync(Roles.CampaignManager);
        var page = Open(_otherId);
        var everyone = await ExpectedAsync(SegmentRule.Everyone());
        WaitForCount(page, everyone);
        // The audience being edited is not offered; the static list is.
        Assert.Empty(await OfferedAsync(page, "Clients of these audiences"));
        Assert.Equal([(_listId, "Callbacks")], await OfferedAsync(page, "Clients on these static lists"));

        await page.InvokeAsync(() => Exclusion(page, "Clients on these static lists").Instance.SelectedValuesChanged.InvokeAsync([_listId]));

        WaitForCount(page, everyone - 5);
        Assert.Equal("Callbacks", Exclusion(page, "Clients on these static lists").Instance.GetState(x => x.Text));

        // A new audience may leave out the saved one: then nobody is left.
        var fresh = Open();
        WaitForCount(fresh, everyone);
        Assert.Equal([(_otherId, "Everyone else")], await OfferedAsync(fresh, "Clients of these audiences"));
        await fresh.InvokeAsync(() => Exclusion(fresh, "Clients of these audiences").Instance.SelectedValuesChanged.InvokeAsync([_otherId]));
        WaitForCount(fresh, 0);
        Assert.Equal("Everyone else", Exclusion(fresh, "Clients of these audiences").Instance.GetState(x => x.Text));
        Assert.NotEmpty(fresh.FindAll("[data-testid=empty-audience]"));
        await fresh.InvokeAsync(() => Exclusion(fresh, "Clients of these audiences").Instance.SelectedValuesChanged.InvokeAsync(null));
        WaitForCount(fresh, everyone);
    }

    [Fact]
    public async Task Sample_ForAReaderWithPersonalData_ShowsClearPhones_AndIsAudited()
    {
        await SetUpAsync(Roles.CampaignManager);
        var page = Open(_otherId);
        WaitForCount(page, await ExpectedAsync(SegmentRule.Everyone()));

        await ClickAsync(page, "segment-sample");

        page.WaitForAssertion(() => Assert.Equal(SegmentAudience.SampleSize, page.FindAll("[data-testid=segment-sample-table] tbody tr").Count), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("*", page.Find("[data-testid=segment-sample-table] tbody tr td").TextContent);
        Assert.DoesNotContain("Phones and names are masked for your role.", page.Markup);
        await using var db = _database.CreateContext();
        var entry = await db.AuditEntries.SingleAsync(a => a.Action == AuditActions.PersonalDataRead);
        Assert.Equal(("Segment", _otherId.ToString()), (entry.EntityType, entry.EntityId));
        Assert.Contains($"audience sample: {SegmentAudience.SampleSize} clients", entry.Details);
    }

    [Fact]
    public async Task Sample_ForAMaskedReader_IsMasked_AndNotAudited()
    {
        await SetUpAsync(Roles.Analyst);
        var page = Open(_otherId);
        WaitForCount(page, await ExpectedAsync(SegmentRule.Everyone()));

        await ClickAsync(page, "segment-sample");

        page.WaitForAssertion(() => Assert.Contains("Phones and names are masked for your role.", page.Markup), TimeSpan.FromSeconds(10));
        Assert.Contains("*", page.Find("[data-testid=segment-sample-table] tbody tr td").TextContent);
        await using var db = _database.CreateContext();
        Assert.False(await db.AuditEntries.AnyAsync(a => a.Action == AuditActions.PersonalDataRead));
    }

    [Fact]
    public async Task Explain_SaysWhyAClientIsOut_SaysWhenNobodyHasTheKey_AndAuditsTheLookUp()
    {
        await SetUpAsync(Roles.CampaignManager);
        var page = Open(_otherId);
        WaitForCount(page, await ExpectedAsync(SegmentRule.Everyone()));
        await page.InvokeAsync(() => Exclusion(page, "Clients on these static lists").Instance.SelectedValuesChanged.InvokeAsync([_listId]));

        await TypeAsync(page, "Phone or external id", "NOBODY-1");
        await ClickAsync(page, "explain");
        page.WaitForAssertion(() => Assert.Contains("No client with this phone or external id.", page.Markup), TimeSpan.FromSeconds(10));

        await TypeAsync(page, "Phone or external id", _listedClient);
        await ClickAsync(page, "explain");

        page.WaitForAssertion(() => Assert.Contains("not in the audience", page.Find("[data-testid=explain-verdict]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Contains(_listedClient, page.Find("[data-testid=explain-verdict]").TextContent);
        var lines = page.Find("[data-testid=explain-lines]").TextContent;
        Assert.Contains("not on an excluded static list", lines);
        Assert.Contains("has not opted out", lines);
        await using var db = _database.CreateContext();
        var entry = await db.AuditEntries.SingleAsync(a => a.Action == AuditActions.PersonalDataRead);
        Assert.Equal("Client", entry.EntityType);
        Assert.Equal($"audience explanation for segment {_otherId}", entry.Details);
        Assert.DoesNotContain(_listedClient, entry.Details);
    }

    [Fact]
    public async Task AListDeletedWhileEditing_IsNamedBySampleExplainAndSave_AndNothingIsSaved()
    {
        await SetUpAsync(Roles.CampaignManager);
        var rule = SegmentRule.Everyone();
        rule.ExcludeLists = [_listId];
        var (id, _) = await _store.SaveAsync(null, "Not called back", rule, null, "test", default);
        var expected = await ExpectedAsync(rule);
        // Three pages open on the audience, counted while the list was there.
        var sampling = Open(id);
        var explaining = Open(id);
        var saving = Open(id);
        foreach (var page in new[] { sampling, explaining, saving })
        {
            WaitForCount(page, expected);
        }
        await using (var db = _database.CreateContext())
        {
            await db.StaticLists.Where(l => l.Id == _listId).ExecuteDeleteAsync();
        }
        var reason = $"Excluded static list {_listId} does not exist (deleted?).";

        await ClickAsync(sampling, "segment-sample");
        await TypeAsync(explaining, "Phone or external id", _listedClient);
        await ClickAsync(explaining, "explain");
        await ClickAsync(saving, "segment-save");

        foreach (var page in new[] { sampling, explaining, saving })
        {
            page.WaitForAssertion(() => Assert.Contains(reason, page.Find("[data-testid=rule-errors]").TextContent), TimeSpan.FromSeconds(10));
        }
        Assert.Empty(sampling.FindAll("[data-testid=segment-sample-table]"));
        Assert.Empty(explaining.FindAll("[data-testid=explain-verdict]"));
        Assert.True(saving.Find("button[data-testid=segment-save]").HasAttribute("disabled"));
        Assert.DoesNotContain(Snackbars, s => s.Severity == Severity.Success);
        await using var check = _database.CreateContext();
        Assert.False(await check.AuditEntries.AnyAsync(a => a.Action == AuditActions.PersonalDataRead));
    }

    [Fact]
    public async Task SaveNew_GoesToTheSavedAudience_AndSaysTheVersion()
    {
        await SetUpAsync(Roles.CampaignManager);
        var page = Open();
        WaitForCount(page, await ExpectedAsync(SegmentRule.Everyone()));
        await TypeAsync(page, "Name", "All reachable");

        await ClickAsync(page, "segment-save");

        page.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.Message == "Saved: version 1." && s.Severity == Severity.Success), TimeSpan.FromSeconds(10));
        await using var db = _database.CreateContext();
        var saved = await db.Segments.SingleAsync(s => s.Name == "All reachable");
        Assert.EndsWith($"/segments/{saved.Id}", _ctx.Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task SaveExisting_WithNobodyInIt_IsSavedWithAWarning_AndStaysOnThePage()
    {
        await SetUpAsync(Roles.CampaignManager);
        var navigation = _ctx.Services.GetRequiredService<NavigationManager>();
        var before = navigation.Uri;
        var page = Open(_otherId);
        WaitForCount(page, await ExpectedAsync(SegmentRule.Everyone()));
        await page.InvokeAsync(() => Exclusion(page, "Clients on these static lists").Instance.SelectedValuesChanged.InvokeAsync([_listId]));
        await page.InvokeAsync(() => page.Find("button[data-testid=add-condition]").Click());
        await page.InvokeAsync(() => page.FindComponent<RuleConditionEditor>().FindComponents<MudSelect<string>>()[0].Instance.ValueChanged.InvokeAsync(Criteria.ExternalId));
        await page.InvokeAsync(() => page.FindComponent<RuleConditionEditor>().FindComponent<MudTextField<string>>().Instance.ValueChanged.InvokeAsync(_listedClient));
        WaitForCount(page, 0);

        await ClickAsync(page, "segment-save");

        page.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.Message == "Saved: version 2. Nobody matches these conditions now." && s.Severity == Severity.Warning),
            TimeSpan.FromSeconds(10));
        Assert.Contains("Version 2", page.Markup);
        Assert.Equal(before, navigation.Uri);
    }

    [Fact]
    public async Task SaveAfterTheAudienceWasDeleted_SaysItDoesNotExist()
    {
        await SetUpAsync(Roles.CampaignManager);
        var page = Open(_otherId);
        WaitForCount(page, await ExpectedAsync(SegmentRule.Everyone()));
        await _store.DeleteAsync(_otherId, default);

        await ClickAsync(page, "segment-save");

        page.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.Message == $"Segment {_otherId} does not exist." && s.Severity == Severity.Error),
            TimeSpan.FromSeconds(10));
        Assert.False(page.Find("button[data-testid=segment-save]").HasAttribute("disabled")); // ready to try again
    }
}
