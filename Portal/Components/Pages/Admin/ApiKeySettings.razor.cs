using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Domain.Common;
using Portal.Infrastructure.Integrations;
using Portal.Infrastructure.MessagesApi;
using Portal.Resources;

namespace Portal.Components.Pages.Admin;

/// <summary>
/// One API key's send settings (issue 19): its per-minute rate limit, the send API's daily quota,
/// the status callback URL and the rotation of the callback signing secret, which is shown once.
/// </summary>
public partial class ApiKeySettings
{
    /// <summary>The key's id.</summary>
    [Parameter] public int Id { get; set; }

    [Inject] private ApiKeyService Keys { get; set; } = default!;
    [Inject] private CallbackSecrets Secrets { get; set; } = default!;
    [Inject] private StatusCallbackOutbox Outbox { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private ILogger<ApiKeySettings> Logger { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private ApiKeyRow? _key;
    private bool _loaded;
    private int _perMinute;
    private int? _dailyQuota;
    private string? _callbackUrl;
    private bool _rotate;
    private bool _saving;
    private string? _error;
    private string? _newSecret;

    protected override async Task OnParametersSetAsync()
    {
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _key = await Keys.FindAsync(Id, Closing);
        _loaded = true;
        if (_key is null) return;
        _perMinute = _key.RequestsPerMinute;
        _dailyQuota = _key.DailyQuota;
        _callbackUrl = _key.CallbackUrl;
        _rotate = false;
    }

    private async Task SaveAsync()
    {
        _error = null;
        _newSecret = null;
        _saving = true;
        try
        {
            var secret = await Keys.ConfigureSendingAsync((await AuthState).User, Id,
                new ApiKeySendSettings(_perMinute, _dailyQuota, _callbackUrl, _rotate), Secrets, Outbox, CompleteEvenIfClosed);
            if (secret is null)
            {
                _error = L["There is no such API key."];
                return;
            }
            _newSecret = secret.Length > 0 ? secret : null;
            Snackbar.Add(L["Settings saved."], Severity.Success);
            await LoadAsync();
        }
        catch (DomainException e)
        {
            _error = L.Describe(e);
        }
        catch (Exception e) when (UnexpectedError.IsUnexpected(e))
        {
            _error = UnexpectedError.Report(L, Logger, e, "Save API key settings");
        }
        finally
        {
            _saving = false;
        }
    }
}
