using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;
using Portal.Identity;

namespace Portal.Components.Pages.Clients;

public partial class ClientCard
{
    [Parameter] public long Id { get; set; }

    [Inject] private IDbContextFactory<PortalDbContext> Contexts { get; set; } = default!;
    [Inject] private AuditLog Audit { get; set; } = default!;
    [Inject] private Infrastructure.Clients.ClientErasure Erasure { get; set; } = default!;
    [Inject] private MudBlazor.IDialogService Dialogs { get; set; } = default!;
    [Inject] private MudBlazor.ISnackbar Snackbar { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private Client? _client;
    private bool _notFound;
    private bool _seesPersonalData;
    private List<string> _tags = [];
    private List<(string Label, string Value)> _attributes = [];
    private List<ClientEvent> _events = [];
    private List<ConsentRecord> _consentHistory = [];

    private string Name => _client is null ? "" : _seesPersonalData
        ? $"{_client.LastName} {_client.FirstName} {_client.MiddleName}".Trim()
        : $"{PersonalDataMask.Name(_client.LastName)} {PersonalDataMask.Name(_client.FirstName)}".Trim();

    private string Phone => _client is null ? "" : _seesPersonalData ? _client.Phone : PersonalDataMask.Phone(_client.Phone);

    private string? RegionName => RussianRegions.Find(_client?.RegionCode) is { } r
        ? System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ru" ? r.NameRu : r.NameEn
        : _client?.RegionCode;

    protected override async Task OnParametersSetAsync()
    {
        var user = (await AuthState).User;
        _seesPersonalData = user.SeesPersonalData();
        await using var db = await Contexts.CreateDbContextAsync();
        _client = await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == Id && c.SandboxOwnerId == null);
        _notFound = _client is null;
        if (_client is null)
        {
            return;
        }
        _tags = await db.ClientTags.Where(t => t.ClientId == Id).Select(t => t.Tag).OrderBy(t => t).ToListAsync();
        var attributes = await (from a in db.ClientAttributes.AsNoTracking()
                                join d in db.AttributeDefinitions.AsNoTracking() on a.DefinitionId equals d.Id
                                where a.ClientId == Id
                                orderby d.Label
                                select new { d.Label, a.Text, a.Number, a.Date, a.Boolean }).ToListAsync();
        // Issue 14: custom attributes can be anything a CRM holds (a card number, an address): masked roles see labels only.
        _attributes = attributes.Select(a => (a.Label, !_seesPersonalData ? PersonalDataMask.Hidden :
            a.Text ?? a.Number?.ToString("G29") ?? a.Date?.ToString("d") ?? (a.Boolean is { } b ? (b ? L["yes"].Value : L["no"].Value) : ""))).ToList();
        _events = await db.ClientEvents.AsNoTracking().Where(e => e.ClientId == Id).OrderByDescending(e => e.OccurredAt).Take(50).ToListAsync();
        _consentHistory = await db.ConsentRecords.AsNoTracking().Where(r => r.ClientId == Id).OrderByDescending(r => r.At).Take(50).ToListAsync();
        if (_seesPersonalData)
        {
            await Audit.WriteAsync(user, AuditActions.PersonalDataRead, "Client", Id.ToString(), "client card");
        }
    }

    /// <summary>Right to erasure on request: personal data goes, aggregates stay, the audit log records it.</summary>
    private async Task EraseAsync()
    {
        if (!await Dialogs.ConfirmAsync(L["Erase personal data"],
            L["The client's name, phone, birth date, tags and consent evidence are deleted for good. Purchase totals and campaign statistics stay. Continue?"],
            L["Erase"], L["Cancel"]))
        {
            return;
        }
        var erased = await Erasure.EraseAsync([Id], (await AuthState).User, "ui", CompleteEvenIfClosed);
        Snackbar.Add(erased.Count == 1 ? L["Personal data erased."] : L["Nothing to erase."], erased.Count == 1 ? MudBlazor.Severity.Success : MudBlazor.Severity.Info);
        await OnParametersSetAsync();
    }
}
