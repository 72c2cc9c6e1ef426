using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Domain.Audit;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;

namespace Portal.Components.Pages.Audit;

public partial class AuditTrail
{
    private static IReadOnlyList<string> Actions => AuditActionNames.Codes;

    [Inject] private IDbContextFactory<PortalDbContext> Contexts { get; set; } = default!;

    private MudDataGrid<AuditEntry>? _grid;
    private string? _user;
    private string? _action;
    private DateTime? _from;
    private DateTime? _to;

    private AuditFilter Filter => new(
        _from is { } f ? DateOnly.FromDateTime(f) : null,
        _to is { } t ? DateOnly.FromDateTime(t) : null,
        _user, _action);

    /// <summary>The export streams from the server (the whole filtered log, not the page shown).</summary>
    private string ExportHref => "/audit/export.csv" + Filter.ToQueryString();

    /// <summary>Server paging: the trail grows without bound, so only one page is ever loaded.</summary>
    private async Task<GridData<AuditEntry>> LoadAsync(GridState<AuditEntry> state, CancellationToken ct)
    {
        await using var db = await Contexts.CreateDbContextAsync(ct);
        var query = Filter.Apply(db.AuditEntries.AsNoTracking());
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(e => e.Id)
            .Skip(state.Page * state.PageSize).Take(state.PageSize).ToListAsync(ct);
        return new GridData<AuditEntry> { Items = items, TotalItems = total };
    }

    private async Task OnUserChanged(string? value)
    {
        _user = value;
        await _grid!.ReloadServerData();
    }

    private async Task OnFromChanged(DateTime? value)
    {
        _from = value;
        await _grid!.ReloadServerData();
    }

    private async Task OnToChanged(DateTime? value)
    {
        _to = value;
        await _grid!.ReloadServerData();
    }

    private async Task OnActionChanged(string? value)
    {
        _action = value;
        await _grid!.ReloadServerData();
    }
}
