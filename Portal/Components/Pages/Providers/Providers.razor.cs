using Portal.Resources;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;
using Portal.Domain.Common;
using Portal.Domain.Providers;
using Portal.Infrastructure.Providers;

namespace Portal.Components.Pages.Providers;

public partial class Providers
{
    private const long MaxUpload = 10 * 1024 * 1024;

    [Inject] private ProviderStore Store { get; set; } = default!;
    [Inject] private PriceListImport Import { get; set; } = default!;
    [Inject] private ProviderHealthBoard Health { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private ILogger<Providers> Logger { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private IReadOnlyList<ProviderRow>? _providers;
    private ProviderRow? _selected;
    private IReadOnlyList<PriceListEntry> _prices = [];
    private IReadOnlyList<PriceImportError>? _importErrors;
    private PriceImportMode _mode = PriceImportMode.Replace;

    protected override async Task OnInitializedAsync() => await ReloadAsync();

    private async Task ReloadAsync()
    {
        _providers = await Store.ListAsync(Closing);
        _selected = _selected is null ? null : _providers.FirstOrDefault(p => p.Id == _selected.Id);
        _prices = _selected is null ? [] : await Store.PricesAsync(_selected.Id, Closing);
    }

    private async Task SelectAsync(ProviderRow provider)
    {
        _selected = provider;
        _importErrors = null;
        _prices = await Store.PricesAsync(provider.Id, Closing);
    }

    internal static string Money(decimal value) => value.ToString("0.00##", CultureInfo.InvariantCulture);

    private string KindText(ProviderKind kind) => kind switch
    {
        ProviderKind.Smpp => L["SMPP"],
        ProviderKind.Http => L["HTTP"],
        _ => kind.ToString(),
    };

    private (string Text, Color Color) StatusOf(ProviderRow p)
    {
        if (!p.Enabled) return (L["Disabled"], Color.Default);
        var health = Health.HealthOf(p.Id);
        return health.State switch
        {
            CircuitState.Open => (L["Circuit open until {0}", health.OpenUntil?.ToString("HH:mm:ss", CultureInfo.InvariantCulture) ?? ""], Color.Error),
            CircuitState.HalfOpen => (L["Probing"], Color.Warning),
            _ => (L["Healthy"], Color.Success),
        };
    }

    private async Task EditAsync(ProviderRow? provider)
    {
        var parameters = new DialogParameters<ProviderEditorDialog> { { d => d.ProviderId, provider?.Id } };
        var dialog = await Dialogs.ShowAsync<ProviderEditorDialog>(provider is null ? L["New provider"] : L["Edit provider"], parameters,
            new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseOnEscapeKey = true });
        if (await dialog.Result is { Canceled: false })
        {
            Snackbar.Add(L["Provider saved."], Severity.Success);
            await ReloadAsync();
        }
    }

    private async Task SetEnabledAsync(ProviderRow provider, bool enabled)
    {
        try
        {
            await Store.SetEnabledAsync((await AuthState).User, provider.Id, enabled, CompleteEvenIfClosed);
        }
        catch (DomainException e)
        {
            Snackbar.Add(L.Describe(e), Severity.Error);
        }
        catch (Exception e) when (UnexpectedError.IsUnexpected(e))
        {
            Snackbar.Add(UnexpectedError.Report(L, Logger, e, "Enable or disable a provider"), Severity.Error);
        }
        await ReloadAsync();
    }

    private async Task UploadAsync(InputFileChangeEventArgs e)
    {
        if (_selected is null) return;
        _importErrors = null;
        try
        {
            await using var stream = e.File.OpenReadStream(MaxUpload);
            using var reader = new StreamReader(stream);
            var result = await Import.ImportAsync((await AuthState).User, _selected.Id, reader, _mode, CompleteEvenIfClosed);
            if (result.Applied)
            {
                Snackbar.Add(L["{0} prices imported.", result.Imported], Severity.Success);
                await ReloadAsync();
            }
            else
            {
                _importErrors = result.Errors;
            }
        }
        catch (IOException)
        {
            _importErrors = [new PriceImportError(0, L["The file is larger than 10 MB."])];
        }
        catch (DomainException ex)
        {
            Snackbar.Add(L.Describe(ex), Severity.Error);
        }
        catch (Exception ex) when (UnexpectedError.IsUnexpected(ex))
        {
            Snackbar.Add(UnexpectedError.Report(L, Logger, ex, "Price list import"), Severity.Error);
        }
    }
}
