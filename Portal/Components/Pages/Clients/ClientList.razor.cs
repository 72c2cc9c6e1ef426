using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Clients;
using Portal.Identity;

namespace Portal.Components.Pages.Clients;

public partial class ClientList
{
    [Inject] private ClientDirectory Directory { get; set; } = default!;
    [Inject] private AuditLog Audit { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private MudDataGrid<ClientRow>? _grid;
    private string? _search;
    private bool _seesPersonalData;
    private bool _searchRefused;

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthState).User;
        _seesPersonalData = user.SeesPersonalData();
    }

    private async Task<GridData<ClientRow>> LoadAsync(GridState<ClientRow> state, CancellationToken ct)
    {
        var sortBy = state.SortDefinitions.FirstOrDefault();
        var sort = sortBy?.SortBy switch
        {
            nameof(ClientRow.Name) => ClientSort.LastName,
            nameof(ClientRow.TotalSpend) => ClientSort.TotalSpend,
            nameof(ClientRow.LastPurchaseAt) => ClientSort.LastPurchaseAt,
            _ => ClientSort.Id,
        };
        var page = await Directory.PageAsync(_search, sort, sortBy?.Descending ?? false, state.Page, state.PageSize, _seesPersonalData, ct);
        _searchRefused = page.SearchRefused;
        if (!_seesPersonalData && !string.IsNullOrWhiteSpace(_search) && ClientDirectory.IsFullPhone(_search.Trim()) is { } phone)
        {
            // Issue 14: a masked reader may look a client up by a full number they already have; on record, masked.
            await Audit.WriteAsync((await AuthState).User, AuditActions.PersonalDataRead, "Client", null,
                $"clients grid: search by full phone {PersonalDataMask.Phone(phone)}, {page.Rows.Count} found", ct);
        }
        if (_seesPersonalData && page.Rows.Count > 0)
        {
            // Every read of unmasked personal data is on record; the search text itself may be a phone, so it is not.
            await Audit.WriteAsync((await AuthState).User, AuditActions.PersonalDataRead, "Client", null,
                $"clients grid: page {state.Page + 1}, {page.Rows.Count} rows, search={(string.IsNullOrWhiteSpace(_search) ? "no" : "yes")}", ct);
        }
        if (page.Rows.Count == 1 && !string.IsNullOrWhiteSpace(_search) && ClientDirectory.IsFullPhone(_search.Trim()) is not null)
        {
            // Issue 19: the call centre types the caller's number and lands on the card in one step.
            Navigation.NavigateTo($"clients/{page.Rows[0].Id}");
        }
        return new GridData<ClientRow> { Items = page.Rows, TotalItems = page.Total };
    }

    private async Task SearchAsync(string? value)
    {
        _search = value;
        await _grid!.ReloadServerData();
    }

    private void Open(ClientRow row) => Navigation.NavigateTo($"clients/{row.Id}");
}
