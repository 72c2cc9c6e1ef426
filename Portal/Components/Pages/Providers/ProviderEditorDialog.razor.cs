using Portal.Resources;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Domain.Common;
using Portal.Infrastructure.Providers;

namespace Portal.Components.Pages.Providers;

/// <summary>Creates or edits a provider and saves it itself, so every problem is shown in the dialog and nothing typed is lost.</summary>
public partial class ProviderEditorDialog
{
    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;
    [Inject] private ProviderStore Store { get; set; } = default!;
    [Inject] private ILogger<ProviderEditorDialog> Logger { get; set; } = default!;

    /// <summary>The provider to edit; null creates a new one.</summary>
    [Parameter] public int? ProviderId { get; set; }

    private ProviderDraft? _draft;
    private IReadOnlyList<string> _problems = [];
    private bool _saving;

    protected override async Task OnInitializedAsync()
    {
        try
        {
            _draft = ProviderId is int id ? await Store.GetAsync(id, Closing) : new ProviderDraft();
        }
        catch (DomainException e)
        {
            _problems = [L.Describe(e)];
        }
        catch (Exception e) when (UnexpectedError.IsUnexpected(e))
        {
            _problems = [UnexpectedError.Report(L, Logger, e, "Read a provider")];
        }
    }

    private async Task SaveAsync()
    {
        if (_draft is null) return;
        _problems = _draft.Problems(creating: ProviderId is null);
        if (_problems.Count > 0) return;
        _saving = true;
        try
        {
            var user = (await AuthState).User;
            if (ProviderId is int id) await Store.UpdateAsync(user, id, _draft, CompleteEvenIfClosed);
            else await Store.CreateAsync(user, _draft, CompleteEvenIfClosed);
            Dialog.Close(DialogResult.Ok(true));
        }
        catch (DomainException e)
        {
            _problems = [L.Describe(e)];
        }
        catch (Exception e) when (UnexpectedError.IsUnexpected(e))
        {
            _problems = [UnexpectedError.Report(L, Logger, e, "Save a provider")];
        }
        finally
        {
            _saving = false;
        }
    }
}
