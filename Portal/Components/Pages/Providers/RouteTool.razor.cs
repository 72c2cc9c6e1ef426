using Portal.Resources;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Portal.Domain.Common;
using Portal.Domain.Providers;
using Portal.Infrastructure.Providers;

namespace Portal.Components.Pages.Providers;

public partial class RouteTool
{
    [Inject] private RouteLookup Lookup { get; set; } = default!;
    [Inject] private ProviderStore Store { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private IReadOnlyList<ProviderRow> _providers = [];
    private string? _phone;
    private int? _named;
    private RouteLookupResult? _result;
    private string? _error;
    private bool _busy;

    protected override async Task OnInitializedAsync() => _providers = await Store.ListAsync(Closing);

    private async Task KeyDownAsync(KeyboardEventArgs e)
    {
        if (e.Key == "Enter") await LookupAsync();
    }

    private async Task LookupAsync()
    {
        (_error, _result) = (null, null);
        if (string.IsNullOrWhiteSpace(_phone))
        {
            _error = L["Type a phone number."];
            return;
        }
        _busy = true;
        try
        {
            _result = await Lookup.LookupAsync((await AuthState).User, _phone, _named, Closing);
        }
        catch (DomainException e)
        {
            _error = L.Describe(e);
        }
        finally
        {
            _busy = false;
        }
    }

    private string Reason(RouteOption o, string @operator)
    {
        var price = $"{Providers.Money(o.Price)} {o.Currency}";
        var priced = o.Source switch
        {
            PriceSource.Prefix => L["price for prefix +{0}: {1}/part", o.Matched ?? "", price],
            PriceSource.Operator => L["price for {0}: {1}/part", o.Matched ?? "", price],
            _ => L["default price {0}/part", price],
        };
        return o.Verdict switch
        {
            RouteVerdict.Candidate => priced,
            RouteVerdict.Probe => L["recovering, gets one probe: {0}", priced],
            RouteVerdict.Disabled => L["skipped: disabled"],
            RouteVerdict.CircuitOpen => L["skipped: circuit open until {0} UTC", o.OpenUntil?.ToString("HH:mm:ss", CultureInfo.InvariantCulture) ?? ""],
            RouteVerdict.NotServed => L["skipped: does not serve {0}", @operator],
            RouteVerdict.NotNamed => L["skipped: another provider was chosen"],
            _ => o.Reason(@operator),
        };
    }
}
