using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Domain.Common;
using Portal.Identity;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Persistence;
using Portal.Resources;

namespace Portal.Components.Pages.Bi;

/// <summary>
/// Exports for the BI system (issue 16, item 2): pick a dataset, format and filters, watch the rows
/// go by, cancel; the history lists who exported what; scheduled exports below.
/// </summary>
public partial class ExportsPage
{
    private sealed record Named(int Id, string Name);

    [Inject] private IDbContextFactory<PortalDbContext> Contexts { get; set; } = default!;
    [Inject] private BiExporter Exporter { get; set; } = default!;
    [Inject] private IBiExportSchedule Schedule { get; set; } = default!;
    [Inject] private AuditLog Audit { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private ClaimsPrincipal _user = new();
    private List<Named> _departments = [];
    private List<Named> _campaigns = [];
    private List<BiExport> _history = [];
    private List<BiExport> _runs = [];
    private List<BiExportDefinition> _definitions = [];
    private string _dataset = BiDatasets.Messages;
    private BiFormat _format = BiFormat.Csv;
    private DateTime? _from;
    private DateTime? _to;
    private int? _department;
    private int? _campaign;
    private bool _bom = true;
    private CancellationTokenSource? _running;
    private long _progress;
    private bool _personalNote;
    private string _scheduleName = "";
    private string _cron = "0 0 2 * * ?";
    private int _periodDays = 1;
    private BiTargetKind _target = BiTargetKind.Folder;
    private string _destination = "";
    private string? _scheduleError;

    protected override async Task OnInitializedAsync()
    {
        _user = (await AuthState).User;
        _personalNote = _user.SeesPersonalData();
        await using var db = await Contexts.CreateDbContextAsync(Closing);
        _departments = await db.Departments.AsNoTracking().OrderBy(d => d.Name).Select(d => new Named(d.Id, d.Name)).ToListAsync(Closing);
        _campaigns = await db.Campaigns.AsNoTracking().Where(c => c.ParentCampaignId == null).OrderByDescending(c => c.Id).Take(300)
            .Select(c => new Named(c.Id, c.Name)).ToListAsync(Closing);
        await LoadHistoryAsync();
    }

    private async Task LoadHistoryAsync()
    {
        await using var db = await Contexts.CreateDbContextAsync(Closing);
        _history = await db.BiExports.AsNoTracking().Where(e => e.DefinitionId == null).OrderByDescending(e => e.Id).Take(50).ToListAsync(Closing);
        _runs = await db.BiExports.AsNoTracking().Where(e => e.DefinitionId != null).OrderByDescending(e => e.Id).Take(200).ToListAsync(Closing);
        _definitions = await db.BiExportDefinitions.AsNoTracking().OrderBy(d => d.Name).ToListAsync(Closing);
    }

    private BiFilter Filter => new(
        _from is { } f ? DateTime.SpecifyKind(f.Date, DateTimeKind.Utc) : null,
        _to is { } t ? DateTime.SpecifyKind(t.Date.AddDays(1), DateTimeKind.Utc) : null,
        _department, _campaign);

    private async Task ExportAsync()
    {
        _running = CancellationTokenSource.CreateLinkedTokenSource(Closing);
        _progress = 0;
        var progress = new Progress<long>(n => { _progress = n; _ = InvokeAsync(StateHasChanged); });
        try
        {
            // Off the render thread: the circuit stays responsive (progress, cancel) during a long export.
            var token = _running.Token;
            await Task.Run(() => Exporter.ExportForUserAsync(_user, new BiExportRequest(_dataset, _format, Filter, _bom), progress, token), token);
        }
        finally
        {
            _running.Dispose();
            _running = null;
        }
        if (!Closing.IsCancellationRequested) await LoadHistoryAsync();
    }

    private void Cancel() => _running?.Cancel();

    private async Task ScheduleAsync()
    {
        _scheduleError = null;
        try
        {
            var definition = new BiExportDefinition(_scheduleName, _dataset, _format, _cron, _target, _destination, _periodDays, _department, _campaign,
                _user.Identity?.Name ?? "?", Time.GetUtcNow().UtcDateTime);
            await using (var db = await Contexts.CreateDbContextAsync(Closing))
            {
                db.BiExportDefinitions.Add(definition);
                await db.SaveChangesAsync(Closing);
            }
            await Schedule.ApplyAsync(definition, Closing);
            await Audit.WriteAsync(_user, "bi.schedule.create", nameof(BiExportDefinition), definition.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"dataset={definition.Dataset} format={definition.Format} cron={definition.Cron} target={definition.Target}", Closing);
            _scheduleName = "";
            await LoadHistoryAsync();
        }
        catch (DomainException e)
        {
            _scheduleError = L.Describe(e);
        }
    }

    private async Task RunNowAsync(int id)
    {
        await Schedule.TriggerNowAsync(id, Closing);
        await Task.Delay(500, Closing);
        await LoadHistoryAsync();
    }

    private async Task DeleteAsync(int id)
    {
        await using var db = await Contexts.CreateDbContextAsync(Closing);
        await db.BiExportDefinitions.Where(d => d.Id == id).ExecuteDeleteAsync(Closing);
        await Schedule.RemoveAsync(id, Closing);
        await Audit.WriteAsync(_user, "bi.schedule.delete", nameof(BiExportDefinition), id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, Closing);
        await LoadHistoryAsync();
    }

    private string Describe(BiExport e)
    {
        var parts = new List<string>();
        if (e.From is { } f) parts.Add(L["from {0}", f.ToString("yyyy-MM-dd")]);
        if (e.To is { } t) parts.Add(L["to {0}", t.AddDays(-1).ToString("yyyy-MM-dd")]);
        if (e.CampaignId is { } c) parts.Add(L["campaign {0}", _campaigns.FirstOrDefault(x => x.Id == c)?.Name ?? c.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (e.DepartmentId is { } d) parts.Add(_departments.FirstOrDefault(x => x.Id == d)?.Name ?? "");
        if (e.Personal) parts.Add(L["with personal data"]);
        return string.Join(", ", parts);
    }

    /// <summary>A dataset's name for people; its key ("messages") would clash with the "Messages" heading's resource.</summary>
    private string DatasetLabel(string dataset) => dataset switch
    {
        BiDatasets.Messages => L["Messages, one row each"],
        BiDatasets.Campaigns => L["Campaigns and runs"],
        BiDatasets.Replies => L["Replies and opt-outs"],
        BiDatasets.DailyCost => L["Daily cost"],
        BiDatasets.Conversions => L["Conversions and uplift"],
        _ => dataset,
    };
}
