using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Domain.Clients;

namespace Portal.Components.Pages;

public partial class Home
{
    private ClientBaseStats? _stats;
    private List<ChartSeries<double>> _regionSeries = [];
    private string[] _regionLabels = [];
    private readonly BarChartOptions _regionOptions = new() { XAxisLabelRotation = 30 };
    private List<ChartSeries<double>> _consentSeries = [];
    private string[] _consentLabels = [];

    private sealed record ClientBaseStats(int Total, int Active, int AdvertisingReachable, int OptedOut);

    protected override async Task OnInitializedAsync()
    {
        await using var db = await Contexts.CreateDbContextAsync();
        // Aggregates only: no personal data leaves the database for this page.
        _stats = await db.Clients.Where(c => c.SandboxOwnerId == null).GroupBy(_ => 1).Select(g => new ClientBaseStats(
                g.Count(),
                g.Count(c => c.Status == ClientStatus.Active),
                g.Count(c => c.Status == ClientStatus.Active && c.OptedOutAt == null && c.AdvertisingConsent.Granted),
                g.Count(c => c.OptedOutAt != null)))
            .FirstOrDefaultAsync() ?? new ClientBaseStats(0, 0, 0, 0);

        var regions = await db.Clients.Where(c => c.SandboxOwnerId == null).GroupBy(c => c.RegionCode)
            .Select(g => new { Code = g.Key, Count = g.Count() })
            .OrderByDescending(r => r.Count).Take(8).ToListAsync();
        var english = System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";
        _regionLabels = regions.Select(r => RussianRegions.Find(r.Code) is { } region ? (english ? region.NameEn : region.NameRu) : "—").ToArray();
        _regionSeries = [new ChartSeries<double> { Name = L["Clients"], Data = regions.Select(r => (double)r.Count).ToArray() }];

        _consentSeries = [new ChartSeries<double> { Name = L["Consent"], Data = new double[] { _stats.AdvertisingReachable, _stats.Active - _stats.AdvertisingReachable, _stats.OptedOut } }];
        _consentLabels = [L["Advertising consent"], L["Service only"], L["Opted out"]];
    }
}
