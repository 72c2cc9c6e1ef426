using Portal.Resources;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Domain.Campaigns;
using Portal.Domain.Common;
using Portal.Domain.Templates;
using Portal.Infrastructure.Campaigns;

namespace Portal.Components.Pages.Campaigns;

/// <summary>
/// Every setting, the cost estimate across the real audience (with its progress), and whether a
/// Manager must approve; the Schedule button stays off until the estimate is in and any approval given.
/// </summary>
public partial class ReviewStep
{
    /// <summary>The form, as saved.</summary>
    [Parameter, EditorRequired] public CampaignDraft Draft { get; set; } = default!;

    /// <summary>The saved campaign the estimate runs on.</summary>
    [Parameter] public Campaign? Campaign { get; set; }

    /// <summary>The saved campaign's id.</summary>
    [Parameter] public int? CampaignId { get; set; }

    /// <summary>Names for the summary.</summary>
    [Parameter] public CampaignWizardOptions Options { get; set; } = CampaignWizardOptions.Empty;

    /// <summary>The user's time zone.</summary>
    [Parameter] public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>Raised when the estimate decides whether approval is needed (true) or not (false).</summary>
    [Parameter] public EventCallback<bool> ApprovalChanged { get; set; }

    /// <summary>Schedules the campaign.</summary>
    [Parameter] public EventCallback ScheduleAsync { get; set; }

    [Inject] private ICampaignEstimator Estimator { get; set; } = default!;
    [Inject] private ApprovalThresholds Thresholds { get; set; } = default!;

    private CampaignEstimate? _estimate;
    private int? _estimatedFor;
    private bool _estimating;
    private double _progress;
    private string? _estimateError;
    private List<ChartSeries<double>> _partsSeries = [];
    private string[] _partsLabels = [];


    protected override async Task OnParametersSetAsync()
    {
        // The wizard saves again when approval changes; that is the same campaign, not a new estimate.
        if (Campaign is not null && _estimatedFor != Campaign.Id)
        {
            _estimatedFor = Campaign.Id;
            await EstimateAsync();
        }
    }

    private async Task EstimateAsync()
    {
        if (Campaign is null) return;
        _estimating = true;
        _estimateError = null;
        _progress = 0;
        try
        {
            var progress = new UiProgress(this);
            _estimate = await Estimator.EstimateAsync(Campaign, progress, Closing);
            var parts = _estimate.PartsHistogram.OrderBy(p => p.Key).ToList();
            _partsLabels = parts.Select(p => p.Key.ToString()).ToArray();
            _partsSeries = [new ChartSeries<double> { Name = L["Messages"], Data = parts.Select(p => (double)p.Value).ToArray() }];
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception e) when (e is DomainException or TemplateSyntaxException or TemplateRenderException)
        {
            _estimateError = L.Describe(e);
            _estimate = null;
        }
        finally
        {
            _estimating = false;
        }
        if (_estimate is not null)
        {
            await ApprovalChanged.InvokeAsync(Thresholds.Requires(_estimate));
        }
    }

    /// <summary>A client language code as the reader reads it, with an example of its money format (issue 20 item 5).</summary>
    private string LanguageName(string code) => code.ToLowerInvariant() switch
    {
        "ru" => L["Russian (1 234,50 ₽)"],
        "en" => L["English (1,234.50 RUB)"],
        _ => code,
    };

    /// <summary>Progress reported from the estimator's thread, rendered on the circuit's.</summary>
    private sealed class UiProgress(ReviewStep step) : IProgress<double>
    {
        public void Report(double value) => _ = step.InvokeAsync(() =>
        {
            step._progress = Math.Clamp(value, 0, 1);
            step.StateHasChanged();
        });
    }
}
