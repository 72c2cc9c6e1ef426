using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Components.Pages.Campaigns;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Messages;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Campaigns;
using Portal.Identity;
using Portal.Infrastructure.Inbound;

namespace Portal.Components.Pages.Inbox;

/// <summary>
/// Replies from clients (issue 7, item 5), newest first, a page at a time from the server, each
/// with the campaign and message it answers. Phones are masked for roles without personal data;
/// every unmasked page is audited, like the clients grid. Campaign managers see replies to their
/// department's and their own campaigns; administrators and managers see all and edit the
/// auto-reply rules.
/// </summary>
public partial class Inbox
{
    [Inject] private InboxQueries Replies { get; set; } = default!;
    [Inject] private CampaignCatalog Catalog { get; set; } = default!;
    [Inject] private AuditLog Audit { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private MudTable<InboxRow>? _table;
    private IReadOnlyList<(int Id, string Name)> _campaigns = [];
    private TimeZoneInfo _zone = TimeZoneInfo.Utc;
    private bool _seesPersonalData;
    private bool _editsRules;
    private InboxQuery _scope = new();
    private int _kind;
    private int _campaign;
    private bool _unreadOnly;

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthState).User;
        _seesPersonalData = user.SeesPersonalData();
        _editsRules = user.IsInRole(Roles.Administrator) || user.IsInRole(Roles.Manager);
        if (!user.SeesAllDepartments())
        {
            var profile = await Catalog.ProfileAsync(user.Identity?.Name, Closing);
            _scope = new InboxQuery(Restricted: true, Department: profile.DepartmentId, Author: user.Identity?.Name ?? "");
        }
        _campaigns = await Replies.CampaignsAsync(Closing);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            _zone = await BrowserTime.ZoneAsync(JS);
            StateHasChanged();
        }
    }

    private async Task<TableData<InboxRow>> LoadAsync(TableState state, CancellationToken ct)
    {
        var query = _scope with
        {
            Kind = _kind == 0 ? null : (InboundKind)_kind,
            CampaignId = _campaign == 0 ? null : _campaign,
            UnreadOnly = _unreadOnly,
        };
        var page = await Replies.PageAsync(query, state.Page, state.PageSize, _seesPersonalData, ct);
        if (_seesPersonalData && page.Rows.Count > 0)
        {
            // Every read of unmasked personal data is on record, as on the clients grid.
            await Audit.WriteAsync((await AuthState).User, AuditActions.PersonalDataRead, nameof(InboundMessage), null,
                $"inbox: page {state.Page + 1}, {page.Rows.Count} rows", ct);
        }
        return new TableData<InboxRow> { Items = page.Rows, TotalItems = page.Total };
    }

    private async Task KindAsync(int kind)
    {
        _kind = kind;
        await _table!.ReloadServerData();
    }

    private async Task CampaignAsync(int campaign)
    {
        _campaign = campaign;
        await _table!.ReloadServerData();
    }

    private async Task UnreadAsync(bool unreadOnly)
    {
        _unreadOnly = unreadOnly;
        await _table!.ReloadServerData();
    }

    private async Task MarkAsync(InboxRow row, bool read)
    {
        await Replies.MarkReadAsync([row.Id], read, Closing);
        await _table!.ReloadServerData();
    }

    private static Color KindColor(InboundKind kind) => kind switch
    {
        InboundKind.OptOut => Color.Error,
        InboundKind.OptIn => Color.Success,
        _ => Color.Default, // a reply
    };
}
