using Portal.Resources;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Domain.Common;
using Portal.Infrastructure.Integrations.Sync;

namespace Portal.Components.Pages.Admin;

public partial class SyncSources
{
    private const int HistorySize = 50;

    [Inject] private SyncSourceCatalog Catalog { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private ILogger<SyncSources> Logger { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private IReadOnlyList<SyncSourceRow>? _sources;
    private SyncSourceRow? _selected;
    private IReadOnlyList<SyncRunRow>? _runs;
    /// <summary>Runs whose rejected rows are unfolded.</summary>
    private readonly HashSet<long> _openErrors = [];
    private List<ChartSeries<double>> _series = [];
    private string[] _labels = [];

    protected override async Task OnInitializedAsync() => await ReloadAsync();

    private async Task ReloadAsync()
    {
        _sources = await Catalog.ListAsync(Closing);
        _selected = _selected is null ? _sources.FirstOrDefault() : _sources.FirstOrDefault(s => s.Id == _selected.Id);
        await LoadRunsAsync();
    }

    private async Task SelectAsync(SyncSourceRow source)
    {
        _selected = source;
        await LoadRunsAsync();
    }

    private async Task LoadRunsAsync()
    {
        _runs = _selected is null ? null : await Catalog.RunsAsync(_selected.Id, HistorySize, Closing);
        // Oldest on the left, as a timeline reads.
        var chronological = (_runs ?? []).Reverse().ToList();
        _labels = chronological.Select(r => r.StartedAt.ToString("dd.MM HH:mm", CultureInfo.InvariantCulture)).ToArray();
        _series =
        [
            new ChartSeries<double> { Name = L["Read"], Data = chronological.Select(r => (double)r.RowsRead).ToArray() },
            new ChartSeries<double> { Name = L["Upserted"], Data = chronological.Select(r => (double)r.Upserted).ToArray() },
            new ChartSeries<double> { Name = L["Rejected"], Data = chronological.Select(r => (double)r.Rejected).ToArray() },
        ];
    }

    private void ToggleErrors(long runId)
    {
        if (!_openErrors.Remove(runId))
        {
            _openErrors.Add(runId);
        }
    }

    private static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    private async Task EditAsync(SyncSourceRow? source)
    {
        var parameters = new DialogParameters<SyncSourceEditorDialog> { { d => d.Source, source } };
        var dialog = await Dialogs.ShowAsync<SyncSourceEditorDialog>(source is null ? L["New source"] : L["Edit source"], parameters,
            new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseOnEscapeKey = true });
        if (await dialog.Result is { Canceled: false })
        {
            Snackbar.Add(L["Source saved."], Severity.Success);
            await ReloadAsync();
        }
    }

    private async Task SetEnabledAsync(SyncSourceRow source, bool enabled)
    {
        try
        {
            await Catalog.SetEnabledAsync((await AuthState).User, source.Id, enabled, CompleteEvenIfClosed);
        }
        catch (DomainException e)
        {
            Snackbar.Add(L.Describe(e), Severity.Error);
        }
        catch (Exception e) when (UnexpectedError.IsUnexpected(e))
        {
            Snackbar.Add(UnexpectedError.Report(L, Logger, e, "Enable or disable a sync source"), Severity.Error);
        }
        await ReloadAsync();
    }

    private async Task RunNowAsync(SyncSourceRow source)
    {
        await Catalog.RunNowAsync(source.Id, CompleteEvenIfClosed);
        Snackbar.Add(L["The run has started; refresh the history to see it."], Severity.Info);
        _selected = source;
        await Task.Delay(500);
        await ReloadAsync();
    }

    private async Task DeleteAsync(SyncSourceRow source)
    {
        if (!await Dialogs.ConfirmAsync(L["Delete source"],
            L["The source '{0}' and its run history will be deleted. Data it already brought in stays.", source.Name], L["Delete"], L["Cancel"]))
        {
            return;
        }
        if (await Catalog.DeleteAsync((await AuthState).User, source.Id, CompleteEvenIfClosed))
        {
            Snackbar.Add(L["Source deleted."], Severity.Success);
        }
        if (_selected?.Id == source.Id)
        {
            _selected = null;
        }
        await ReloadAsync();
    }
}
