using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Components.Pages.Campaigns;
using Portal.Infrastructure.Dashboard;
using Portal.Infrastructure.Sending;
using Microsoft.Extensions.Options;

namespace Portal.Components.Pages.Dashboard;

/// <summary>
/// The live delivery dashboard (issue 8): one <see cref="IDashboardQueries.ReadAsync"/> per tick,
/// pushed through the circuit. The figures are aggregates from the database, so every node shows
/// the same; the page does no per-message work.
/// </summary>
public partial class Dashboard
{
    /// <summary>How often the page reads and re-renders (issue 8: at least once a second).</summary>
    public static TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);

    [Inject] private IDashboardQueries Queries { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private ILogger<Dashboard> Logger { get; set; } = default!;
    [Inject] private IOptions<SendingOptions> Sending { get; set; } = default!;

    private readonly TimeSpan _tick = TickInterval;
    private DashboardSnapshot? _snapshot;
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;
    private string? _error;
    private Task? _ticking;
    private List<ChartSeries<double>> _series = [];
    private string[] _labels = [];

    protected override async Task OnInitializedAsync()
    {
        if (await ReadAsync() is { } snapshot) Show(snapshot);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        _zone = await BrowserTime.ZoneAsync(JS);
        _ticking = TickAsync();
    }

    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(_tick);
        try
        {
            while (await timer.WaitForNextTickAsync(Closing))
            {
                // The read runs off the renderer; only the swap of the snapshot happens on it.
                var snapshot = await ReadAsync();
                await InvokeAsync(() =>
                {
                    if (snapshot is not null) Show(snapshot);
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The page closed.
        }
    }

    private async Task<DashboardSnapshot?> ReadAsync()
    {
        try
        {
            var snapshot = await Queries.ReadAsync(DayStartUtc(), Closing);
            _error = null;
            return snapshot;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Shown and retried next tick; the last figures stay on screen.
            _error = L["The dashboard could not be read; retrying."];
            Logger.LogWarning(e, "The dashboard could not be read");
            return null;
        }
    }

    /// <summary>Midnight of the viewer's day (browser time zone) in UTC.</summary>
    private DateTime DayStartUtc()
    {
        var today = BrowserTime.ToLocal(Clock.GetUtcNow().UtcDateTime, _zone).Date;
        return BrowserTime.ToUtc(today, _zone);
    }

    private void Show(DashboardSnapshot snapshot)
    {
        _snapshot = snapshot;
        var perSecond = DashboardSnapshot.BucketSize.TotalSeconds;
        _series =
        [
            new ChartSeries<double> { Name = L["Submitted"], Data = snapshot.Throughput.Select(b => b.Submitted / perSecond).ToArray() },
            new ChartSeries<double> { Name = L["Delivered"], Data = snapshot.Throughput.Select(b => b.Delivered / perSecond).ToArray() },
        ];
        // A label every three minutes; 90 of them would overlap on a phone.
        _labels = snapshot.Throughput.Select((b, i) => i % 18 == 0 ? Local(b.Start).ToString("HH:mm") : "").ToArray();
    }

    private DateTime Local(DateTime utc) => BrowserTime.ToLocal(utc, _zone);

    private IEnumerable<(string Label, string Value, string Icon, string Id)> TodayCards(TodayTotals t) =>
    [
        (L["Sent"], t.Sent.ToString("N0"), Icons.Material.Filled.Send, "today-sent"),
        (L["Delivered"], t.Delivered.ToString("N0"), Icons.Material.Filled.DoneAll, "today-delivered"),
        (L["Failed"], t.Failed.ToString("N0"), Icons.Material.Filled.ErrorOutline, "today-failed"),
        (L["Parts"], t.Parts.ToString("N0"), Icons.Material.Filled.ViewAgenda, "today-parts"),
        (L["Cost"], t.Cost.ToString("N2"), Icons.Material.Filled.Payments, "today-cost"),
    ];

    private static (double Submitted, double Delivered) LastRate(DashboardSnapshot s) =>
        s.Throughput.Count == 0 ? (0, 0)
        : (s.Throughput[^1].Submitted / DashboardSnapshot.BucketSize.TotalSeconds, s.Throughput[^1].Delivered / DashboardSnapshot.BucketSize.TotalSeconds);

    private static Color BindColor(ProviderBindState state) => state switch
    {
        ProviderBindState.Bound or ProviderBindState.Ready => Color.Success,
        ProviderBindState.Partial => Color.Warning,
        ProviderBindState.Down or ProviderBindState.CircuitOpen => Color.Error,
        ProviderBindState.NoNode => Color.Default,
        _ => Color.Default,
    };

    private string BindLabel(ProviderLive p) => p.BindState switch
    {
        ProviderBindState.NoNode => L["Not connected"],
        ProviderBindState.Down => L["Down"],
        ProviderBindState.Disabled => L["Disabled"],
        ProviderBindState.Ready => L["Ready"],
        ProviderBindState.CircuitOpen => L["Circuit open until {0}", Local(p.CircuitOpenUntil!.Value).ToString("T")],
        _ => L["{0} of {1} up", p.BindsUp, p.BindsConfigured],
    };

    /// <summary>SMPP: requests in flight of the binds' windows; HTTP has no window, only requests waiting for an answer.</summary>
    private string WindowText(ProviderLive p) =>
        p.Kind == Portal.Domain.Providers.ProviderKind.Http ? L["{0} in flight", p.WindowInUse.ToString("N0")] : $"{p.WindowInUse:N0} / {p.WindowSize:N0}";

    private string QueueLabel(string queue) =>
        queue == Sending.Value.ChunkQueue ? L["Chunks to send"]
        : queue == Sending.Value.ReceiptQueue ? L["Receipts to apply"]
        : queue == Sending.Value.InboundQueue ? L["Replies to apply"]
        : queue;

    // Resolved when used: the replay is an administrator's action, the page renders without it.
    [Inject] private IServiceProvider Services { get; set; } = default!;
    [Inject] private Microsoft.AspNetCore.Authorization.IAuthorizationService Authorization { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [CascadingParameter] private Task<Microsoft.AspNetCore.Components.Authorization.AuthenticationState>? AuthState { get; set; }

    private bool _mayReplay;
    private string? _replaying;

    protected override async Task OnParametersSetAsync()
    {
        if (AuthState is null) return;
        var user = (await AuthState).User;
        _mayReplay = (await Authorization.AuthorizeAsync(user, null, Portal.Identity.Policies.Administration)).Succeeded;
    }

    /// <summary>Moves the queue's dead letters back (issue 13); the handlers are idempotent, so a replay applies nothing twice.</summary>
    private async Task ReplayAsync(string queue)
    {
        if (!_mayReplay || _replaying is not null) return;
        _replaying = queue;
        try
        {
            var user = AuthState is null ? null : (await AuthState).User;
            var deadLetters = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Portal.Infrastructure.Sending.DeadLetters>(Services);
            var moved = await deadLetters.ReplayAsync(queue, user, Closing);
            Snackbar.Add(string.Format(System.Globalization.CultureInfo.CurrentCulture, L["{0} dead letters sent back to the queue."], moved), Severity.Success);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Snackbar.Add(L["The dead letters could not be replayed: the message broker did not answer."], Severity.Error);
        }
        finally
        {
            _replaying = null;
        }
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        if (_ticking is not null)
        {
            await _ticking;
        }
    }
}
