using Portal.Resources;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Domain.Common;
using Portal.Infrastructure.Integrations;

namespace Portal.Components.Pages.Admin;

public partial class ApiKeys
{
    [Inject] private ApiKeyService Keys { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private ILogger<ApiKeys> Logger { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private IReadOnlyList<ApiKeyRow>? _keys;

    protected override async Task OnInitializedAsync() => await ReloadAsync();

    private async Task ReloadAsync() => _keys = await Keys.ListAsync(Closing);

    private static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    private async Task CreateAsync()
    {
        var dialog = await Dialogs.ShowAsync<ApiKeyEditorDialog>(L["New API key"],
            new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseOnEscapeKey = true });
        if (await dialog.Result is not { Canceled: false, Data: ApiKeyEditorResult request })
        {
            return;
        }
        string key;
        try
        {
            (_, key) = await Keys.CreateAsync((await AuthState).User, request.Name, request.Scopes, request.RequestsPerMinute, CompleteEvenIfClosed);
        }
        catch (DomainException e)
        {
            Snackbar.Add(L.Describe(e), Severity.Error);
            return;
        }
        catch (Exception e) when (UnexpectedError.IsUnexpected(e))
        {
            Snackbar.Add(UnexpectedError.Report(L, Logger, e, "Create an API key"), Severity.Error);
            return;
        }
        Snackbar.Add(L["API key created."], Severity.Success);
        await ReloadAsync();
        await Dialogs.ShowSecretOnceAsync(L["API key created."], L["Copy this key into the integration's settings; it is shown only now:"], "new-api-key", key, L["Done"]);
    }

    private async Task RevokeAsync(ApiKeyRow key)
    {
        if (!await Dialogs.ConfirmAsync(L["Revoke API key"],
            L["The integration using the key '{0}' stops working at once. This cannot be undone.", key.Name], L["Revoke"], L["Cancel"]))
        {
            return;
        }
        if (await Keys.RevokeAsync((await AuthState).User, key.Id, CompleteEvenIfClosed))
        {
            Snackbar.Add(L["API key revoked."], Severity.Success);
        }
        await ReloadAsync();
    }
}
