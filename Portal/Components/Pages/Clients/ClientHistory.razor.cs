using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Domain.Messages;
using Portal.Infrastructure.Clients;

namespace Portal.Components.Pages.Clients;

/// <summary>
/// The client card's message history (issue 19): campaign and API messages newest first, paged on
/// the server by keyset ("Older messages"), replies and opt-outs/ins by SMS, "why did this client
/// get this?" per message and, for readers with the personal-data permission, the text (audited).
/// </summary>
public partial class ClientHistory
{
    private const int PageSize = 20;

    /// <summary>The client whose history is shown.</summary>
    [Parameter, EditorRequired] public long ClientId { get; set; }

    /// <summary>Whether the reader may see texts (personal data); each text read is audited.</summary>
    [Parameter] public bool SeesPersonalData { get; set; }

    [Inject] private ClientMessageHistory History { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private List<ClientMessageRow> _rows = [];
    private IReadOnlyList<ClientReply> _replies = [];
    private HistoryCursor? _next;
    private List<string>? _detail;

    protected override async Task OnParametersSetAsync()
    {
        var page = await History.PageAsync(ClientId, null, PageSize, Closing);
        _rows = page.Rows.ToList();
        _next = page.Next;
        _replies = await History.RepliesAsync(ClientId, 50, Closing);
    }

    private async Task MoreAsync()
    {
        var page = await History.PageAsync(ClientId, _next, PageSize, Closing);
        _rows.AddRange(page.Rows);
        _next = page.Next;
    }

    private string SourceOf(ClientMessageRow row) =>
        row.CampaignName is { } campaign ? campaign : row.ApiKeyName is { } key ? $"API · {key}" : L["API"];

    private static string KindOf(InboundKind kind) => kind switch
    {
        InboundKind.OptOut => "Opt-out by SMS",
        InboundKind.OptIn => "Opt-in by SMS",
        _ => "Reply",
    };

    private async Task WhyAsync(ClientMessageRow row)
    {
        var reason = await History.ReasonAsync(ClientId, row.Id, Closing);
        if (reason is null) return;
        _detail = reason.Source == "campaign"
            ?
            [
                L["Campaign: {0}", reason.Campaign ?? ""],
                L["Audience: {0}", reason.Segment ?? L["(no segment)"]],
                L["Audience rule: {0}", reason.Rule ?? ""],
                L["Audience snapshot taken at {0}", reason.SnapshotAt.ToString("g")],
            ]
            :
            [
                L["Sent through the API by the key {0} ({1})", reason.ApiKey ?? L["(deleted key)"], reason.ApiKeyPrefix ?? ""],
                L["Accepted at {0}", reason.SnapshotAt.ToString("g")],
            ];
    }

    private async Task TextAsync(ClientMessageRow row)
    {
        var text = await History.TextAsync((await AuthState).User, SeesPersonalData, ClientId, row.Id, Closing);
        _detail = [L["Text as sent: {0}", text ?? L["(not available)"]]];
    }
}
