using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Domain.Audit;
using Portal.Infrastructure.Persistence;

namespace Portal.Components.Pages.Audit;

public partial class AuditTrail
{
    private static readonly string[] Actions = typeof(AuditActions).GetFields()
        .Select(f => (string)f.GetValue(null)!).Order().ToArray();

    [Inject] private IDbContextFactory<PortalDbContext> Contexts { get; set; } = default!;

    private MudDataGrid<AuditEntry>? _grid;
    private string? _user;
    private string? _action;

    /// <summary>Server paging: the trail grows without bound, so only one page is ever loaded.</summary>
    private async Task<GridData<AuditEntry>> LoadAsync(GridState<AuditEntry> state, CancellationToken ct)
    {
        await using var db = await Contexts.CreateDbContextAsync(ct);
        var query = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(_user))
        {
            query = query.Where(e => e.UserName != null && e.UserName.Contains(_user));
        }
        if (!string.IsNullOrEmpty(_action))
        {
            query = query.Where(e => e.Action == _action);
        }
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

    private async Task OnActionChanged(string? value)
    {
        _action = value;
        await _grid!.ReloadServerData();
    }
}
