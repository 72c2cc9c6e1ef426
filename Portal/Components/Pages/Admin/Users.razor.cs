using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Identity;

namespace Portal.Components.Pages.Admin;

public partial class Users
{
    [Inject] private UserAccounts Accounts { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private IReadOnlyList<UserRow>? _users;
    private IReadOnlyList<(int Id, string Name)> _departments = [];
    private string _search = "";

    protected override async Task OnInitializedAsync()
    {
        _departments = await Accounts.DepartmentsAsync(Closing);
        await ReloadAsync();
    }

    private async Task ReloadAsync() => _users = await Accounts.ListAsync(Closing);

    private bool Matches(UserRow u) =>
        string.IsNullOrWhiteSpace(_search) ||
        u.Email.Contains(_search, StringComparison.OrdinalIgnoreCase) ||
        u.DisplayName.Contains(_search, StringComparison.OrdinalIgnoreCase);

    private async Task<ClaimsPrincipal> ActorAsync() => (await AuthState).User;

    private async Task CreateAsync()
    {
        var result = await ShowEditorAsync(L["New user"], null);
        if (result is null)
        {
            return;
        }
        var outcome = await Accounts.CreateAsync(await ActorAsync(), result.Edit, result.Password);
        await ReportAsync(outcome, L["User created."]);
    }

    private async Task EditAsync(UserRow user)
    {
        var result = await ShowEditorAsync(L["Edit user"], user);
        if (result is not null)
        {
            await ReportAsync(await Accounts.UpdateAsync(await ActorAsync(), user.Id, result.Edit), L["User saved."]);
        }
    }

    private async Task SetDisabledAsync(UserRow user, bool disabled)
    {
        var outcome = await Accounts.SetDisabledAsync(await ActorAsync(), user.Id, disabled);
        await ReportAsync(outcome, disabled ? L["User disabled: open sessions end within a minute."] : L["User enabled."]);
    }

    private async Task ResetPasswordAsync(UserRow user)
    {
        if (await Dialogs.ConfirmAsync(L["Reset password"],
            L["A temporary password will be generated and shown once; the user must replace it at the next sign-in. The user's open sessions end."], L["Reset"], L["Cancel"]))
        {
            await ReportAsync(await Accounts.ResetPasswordAsync(await ActorAsync(), user.Id), L["Password reset."]);
        }
    }

    private async Task<UserEditorResult?> ShowEditorAsync(string title, UserRow? user)
    {
        var parameters = new DialogParameters<UserEditorDialog>
        {
            { d => d.User, user },
            { d => d.Departments, _departments },
        };
        var dialog = await Dialogs.ShowAsync<UserEditorDialog>(title, parameters,
            new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseOnEscapeKey = true });
        var result = await dialog.Result;
        return result is { Canceled: false, Data: UserEditorResult r } ? r : null;
    }

    private async Task ReportAsync(AccountResult outcome, string success)
    {
        if (!outcome.Succeeded)
        {
            foreach (var error in outcome.Errors)
            {
                Snackbar.Add(error, Severity.Error);
            }
            return;
        }
        Snackbar.Add(success, Severity.Success);
        if (outcome.NewPassword is { } password)
        {
            await Dialogs.ShowSecretOnceAsync(L["New password"],
                L["Give this temporary password to the user; it is shown only now and must be changed at the next sign-in:"], "new-password", password, L["Done"]);
        }
        await ReloadAsync();
    }
}
