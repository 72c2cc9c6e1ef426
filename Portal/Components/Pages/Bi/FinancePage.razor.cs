using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Persistence;

namespace Portal.Components.Pages.Bi;

/// <summary>Finance (issue 16, item 6): the cost report and a provider statement's reconciliation.</summary>
public partial class FinancePage
{
    private sealed record Named(int Id, string Name);

    /// <summary>A statement is a month or so of one provider's messages; larger files are refused.</summary>
    private const long MaxStatementBytes = 64L << 20;

    [Inject] private IDbContextFactory<PortalDbContext> Contexts { get; set; } = default!;
    [Inject] private FinanceReports Finance { get; set; } = default!;
    [Inject] private AuditLog Audit { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private ClaimsPrincipal _user = new();
    private List<Named> _departments = [];
    private List<Named> _providers = [];
    private DateTime? _from;
    private DateTime? _to;
    private int? _department;
    private int? _provider;
    private IReadOnlyList<CostRow> _cost = [];
    private IReadOnlyList<StatementError> _errors = [];
    private ReconciliationResult? _result;

    protected override async Task OnInitializedAsync()
    {
        _user = (await AuthState).User;
        var now = Time.GetUtcNow().UtcDateTime;
        _from = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-2);
        _to = now.Date;
        await using var db = await Contexts.CreateDbContextAsync(Closing);
        _departments = await db.Departments.AsNoTracking().OrderBy(d => d.Name).Select(d => new Named(d.Id, d.Name)).ToListAsync(Closing);
        _providers = await db.Providers.AsNoTracking().OrderBy(p => p.Name).Select(p => new Named(p.Id, p.Name)).ToListAsync(Closing);
        await LoadCostAsync();
    }

    private async Task LoadCostAsync()
    {
        var from = DateTime.SpecifyKind((_from ?? DateTime.UtcNow.AddMonths(-3)).Date, DateTimeKind.Utc);
        var to = DateTime.SpecifyKind((_to ?? DateTime.UtcNow).Date.AddDays(1), DateTimeKind.Utc);
        _cost = await Finance.CostReportAsync(from, to, _department, Closing);
    }

    private async Task StatementAsync(InputFileChangeEventArgs e)
    {
        _errors = [];
        _result = null;
        if (_provider is not { } provider) return;
        if (e.File.Size > MaxStatementBytes)
        {
            _errors = [new StatementError(0, "", "The file is larger than 64 MB.")];
            return;
        }
        await using var stream = e.File.OpenReadStream(MaxStatementBytes, Closing);
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        // Read into memory once (at most 64 MB): parsing needs the whole file before anything runs.
        var text = await reader.ReadToEndAsync(Closing);
        var (lines, errors) = Finance.Parse(new StringReader(text));
        if (errors.Count > 0)
        {
            _errors = errors;
            return;
        }
        _result = await Finance.ReconcileAsync(provider, lines, Closing);
        await Audit.WriteAsync(_user, "bi.reconcile", "SmsProvider", provider.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"rows={_result.StatementRows} matched={_result.Matched} difference={_result.Difference.ToString(System.Globalization.CultureInfo.InvariantCulture)}", Closing);
    }
}
