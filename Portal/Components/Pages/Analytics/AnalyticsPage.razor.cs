using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Analytics;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Segments;

namespace Portal.Components.Pages.Analytics;

/// <summary>
/// Across campaigns (issue 15): campaigns side by side over a period with filters, the trend by week
/// or month, and the active client pool. Campaign managers see their department's campaigns only.
/// </summary>
public partial class AnalyticsPage
{
    [Inject] private CampaignsReport Report { get; set; } = default!;
    [Inject] private CampaignCatalog Catalog { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private CampaignsReportResult? _result;
    private DateTime? _from = DateTime.UtcNow.Date.AddDays(-90);
    private DateTime? _to = DateTime.UtcNow.Date;
    private int? _department;
    private MessagePurpose? _purpose;
    private int? _provider;
    private string? _author;
    private int _poolDays = 30;
    private bool _monthly;
    private bool _trendTable;
    private bool _seesAll;
    private int? _ownDepartment;
    private IReadOnlyList<NamedId> _departments = [];
    private IReadOnlyList<NamedId> _providerList = [];

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthState).User;
        _seesAll = user.SeesAllResults();
        _ownDepartment = (await Catalog.ProfileAsync(user.Identity?.Name, Closing)).DepartmentId;
        var options = await Catalog.OptionsAsync(Closing);
        _providerList = options.Providers;
        _departments = options.Departments;
        await LoadAsync();
    }

    private async Task Set(Action change)
    {
        change();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        var from = (_from ?? DateTime.UtcNow.Date.AddDays(-90)).Date;
        var to = (_to ?? DateTime.UtcNow.Date).Date.AddDays(1);
        var filter = new CampaignsReportFilter(DateTime.SpecifyKind(from, DateTimeKind.Utc), DateTime.SpecifyKind(to, DateTimeKind.Utc),
            _seesAll ? _department : null, _purpose, _provider, string.IsNullOrWhiteSpace(_author) ? null : _author.Trim());
        // A campaign manager sees their department's campaigns only (none without a department).
        IReadOnlyCollection<int>? departments = _seesAll ? null : _ownDepartment is int d ? [d] : [];
        _result = await Report.GetAsync(filter, departments, _poolDays, Closing);
    }

    private IReadOnlyList<TrendPoint> Trend => _monthly ? _result!.Monthly : _result!.Weekly;
    private string[] TrendLabels => Trend.Select(p => p.Period).ToArray();
    private List<ChartSeries<double>> TrendSeries =>
    [
        new() { Name = L["Delivered"], Data = Trend.Select(p => (double)p.Delivered).ToArray() },
        new() { Name = L["Conversions"], Data = Trend.Select(p => (double)p.Conversions).ToArray() },
        new() { Name = L["Incremental conversions"], Data = Trend.Select(p => Math.Round(p.IncrementalConversions)).ToArray() },
        new() { Name = L["Replies"], Data = Trend.Select(p => (double)p.Replies).ToArray() },
    ];

    private string[] TrendHeader => [L["Period"], L["Campaigns"], L["Recipients"], L["Delivered"], L["Replies"], L["Opt-outs"], L["Conversions"], L["Incremental conversions"]];
    private IEnumerable<string[]> TrendRows => Trend.Select(p => new[]
    {
        p.Period, N(p.Campaigns), N(p.Recipients), N(p.Delivered), N(p.Replies), N(p.OptOuts), N(p.Conversions), ResultsTable.Money(p.IncrementalConversions),
    });

    private string[] CampaignHeader =>
    [
        L["Campaign"], L["Started"], L["Recipients"], L["Delivered"], L["Cost"], L["Cost per delivered"], L["Replies"], L["Opt-outs"],
        L["Conversions"], L["Uplift, pp"], L["Cost per incremental conversion"], L["Verdict"],
    ];

    private string[] CampaignCells(CampaignSummary c) =>
    [
        c.Name, c.StartedAt.ToString("d", CultureInfo.CurrentCulture), N(c.Recipients), N(c.Delivered), c.Cost.ToString("N2", CultureInfo.CurrentCulture),
        c.CostPerDelivered is double cpd ? cpd.ToString("N3", CultureInfo.CurrentCulture) : "—", N(c.Replies), N(c.OptOuts), N(c.Conversions),
        c.AbsoluteUplift is double u ? ResultsTable.Points(u) : "—",
        c.CostPerIncrementalConversion is double cpi ? cpi.ToString("N2", CultureInfo.CurrentCulture) : "—",
        !c.HasControl ? L["No control group"] : c.Significant ? L["Significant"] : L["Not significant"],
    ];

    private static string N(long value) => value.ToString("N0", CultureInfo.CurrentCulture);

    private Task DownloadCampaignsAsync() =>
        DownloadAsync("campaigns.csv", [CampaignHeader, .. _result!.Campaigns.Select(CampaignCells)]);

    private Task DownloadTrendAsync() =>
        DownloadAsync(_monthly ? "trend-monthly.csv" : "trend-weekly.csv", [TrendHeader, .. TrendRows]);

    /// <summary>The table as shown, through the browser (no server round trip that could differ from the screen).</summary>
    private async Task DownloadAsync(string name, List<string[]> rows)
    {
        var csv = "\uFEFF" + ResultsTable.Csv(rows);
        await using var module = await JS.InvokeAsync<IJSObjectReference>("import", Closing, "./analytics.js");
        await module.InvokeVoidAsync("download", Closing, name, csv);
    }
}
