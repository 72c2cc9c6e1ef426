using Portal.Resources;
using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Messages;
using Portal.Domain.Templates;
using Portal.Identity;
using Portal.Infrastructure.Templates;

namespace Portal.Components.Pages.Templates;

/// <summary>
/// The template editor: merge-field picker, and as you type (debounced) the syntax error with its
/// line and column, a preview for a chosen, random or sample client, the alphabet with the
/// characters that force UCS-2 marked, the length, the parts and the cost per message.
/// </summary>
public partial class TemplateEditor
{
    /// <summary>How long analysis waits for the user to stop typing.</summary>
    public static TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(300);

    [Parameter] public int? Id { get; set; }
    [Inject] private TemplateEngine Engine { get; set; } = default!;
    [Inject] private TemplateStore Store { get; set; } = default!;
    [Inject] private Portal.Infrastructure.Identity.DepartmentScopes Scopes { get; set; } = default!;
    [Inject] private TemplatePreview Preview { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private ClaimsPrincipal _user = new();
    private Portal.Domain.Access.DepartmentScope _scope = Portal.Domain.Access.DepartmentScope.Of(null);
    private bool _seesPersonalData;
    private string? _name;
    private string _body = "";
    private int _version;
    private string? _loadError;
    private bool _saving;
    private IReadOnlyList<MergeField> _attributes = [];
    private IReadOnlyList<TemplateVersionRow> _versions = [];
    private Portal.Infrastructure.Providers.RoutePrice? _partPrice;
    private string? _search;
    private PreviewClient? _client;
    private TemplateSyntaxException? _syntaxError;
    private string? _renderError;
    private RenderedSms? _sms;
    private IReadOnlyList<string> _ucs2 = [];
    private CancellationTokenSource? _pending;
    private MudTextField<string>? _bodyField;
    private IJSObjectReference? _module;

    protected override async Task OnParametersSetAsync()
    {
        _user = (await AuthState).User;
        _seesPersonalData = _user.SeesPersonalData();
        _scope = await Scopes.ForAsync(_user, Closing);
        _attributes = await Preview.AttributeFieldsAsync(Closing);
        if (Id is { } id)
        {
            var template = await Store.FindAsync(id, _scope, _user, Closing);
            if (template is null)
            {
                _loadError = L["This template does not exist."];
                return;
            }
            (_name, _body, _version) = (template.Name, template.Body, template.Version);
            _versions = await Store.VersionsAsync(id, _scope, Closing);
        }
        await AnalyzeAsync(Closing);
    }

    private async Task BodyChanged(string? value)
    {
        _body = value ?? "";
        // Cancelled, not disposed: the older edit's continuation may still read its token.
        _pending?.Cancel();
        _pending = new CancellationTokenSource();
        var token = _pending.Token;
        try
        {
            await Task.Delay(Debounce, token);
            await AnalyzeAsync(token);
        }
        catch (OperationCanceledException)
        {
            // A newer keystroke took over.
        }
    }

    /// <summary>At the caret (a small JS module reads it from the textarea); at the end when JS is not there.</summary>
    private async Task InsertAsync(MergeField field)
    {
        try
        {
            _module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./Components/Pages/Templates/TemplateEditor.razor.js");
            if (_module is not null && _bodyField?.InputReference is { } input &&
                await _module.InvokeAsync<string?>("insertAtCursor", input.ElementReference, field.Tag) is { } inserted)
            {
                await BodyChanged(inserted);
                return;
            }
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or InvalidOperationException)
        {
            // Prerendering or a script that failed to load: fall back to appending.
        }
        var separator = _body.Length == 0 || char.IsWhiteSpace(_body[^1]) ? "" : " ";
        await BodyChanged(_body + separator + field.Tag);
    }

    private async Task AnalyzeAsync(CancellationToken ct)
    {
        _syntaxError = null;
        _renderError = null;
        _sms = null;
        _ucs2 = [];
        if (string.IsNullOrEmpty(_body)) return;
        CompiledTemplate template;
        try
        {
            template = Engine.Compile(_body);
        }
        catch (TemplateSyntaxException e)
        {
            _syntaxError = e;
            return;
        }
        if (_client is { } client)
        {
            var result = await Preview.RenderAsync(template, client.Id, _user, ct);
            (_sms, _renderError) = (result.Sms, result.Error);
        }
        else
        {
            try
            {
                _sms = template.Render(SampleClient(), null, new CampaignMergeFields(_name ?? L["Campaign"], "Portal", Clock.GetUtcNow().UtcDateTime));
            }
            catch (TemplateRenderException e)
            {
                _renderError = e.Message;
            }
        }
        if (_sms is { } sms)
        {
            _ucs2 = SmsLength.Ucs2Characters(sms.Text);
            // Issue 20 item 4: priced on the route a message to this client (or the sample client) would take.
            _partPrice = await Preview.PartPriceAsync(_client?.Id, ct);
        }
    }

    /// <summary>A made-up client, so the preview works before any client is imported; no personal data, nothing to audit.</summary>
    private Client SampleClient() => Portal.Domain.Templates.SampleClient.Create(Clock.GetUtcNow().UtcDateTime);

    /// <summary>The preview text cut into runs of GSM-7 and of UCS-2-forcing characters, for highlighting.</summary>
    private static IEnumerable<(string Text, bool Unicode)> Runs(string text)
    {
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i < text.Length && GsmAlphabet.IsEncodable(text[i]) == GsmAlphabet.IsEncodable(text[start])) continue;
            yield return (text[start..i], !GsmAlphabet.IsEncodable(text[start]));
            start = i;
        }
    }

    private async Task FindClientAsync()
    {
        var found = await Preview.FindClientAsync(_search ?? "", _seesPersonalData, _scope.SandboxOwnerId, Closing);
        if (found is null)
        {
            Snackbar.Add(L["No client with this phone or external id."], Severity.Warning);
            return;
        }
        _client = found;
        await AnalyzeAsync(Closing);
    }

    private async Task RandomClientAsync()
    {
        _client = await Preview.RandomClientAsync(_seesPersonalData, _scope.SandboxOwnerId, Closing);
        if (_client is null) Snackbar.Add(L["There are no clients yet: the preview uses a sample client."], Severity.Info);
        await AnalyzeAsync(Closing);
    }

    private async Task SaveAsync()
    {
        _saving = true;
        try
        {
            var (id, version) = await Store.SaveAsync(_scope, _user, Id, _name ?? "", _body, CompleteEvenIfClosed);
            Snackbar.Add(L["Saved as version {0}.", version], Severity.Success);
            if (Id is null)
            {
                Navigation.NavigateTo($"templates/{id}");
                return;
            }
            _version = version;
            _versions = await Store.VersionsAsync(id, _scope, Closing);
        }
        catch (TemplateSyntaxException e)
        {
            _syntaxError = e;
            Snackbar.Add(L["Not saved: line {0}, column {1}: {2}", e.Line, e.Column, e.Reason], Severity.Error);
        }
        catch (DomainException e)
        {
            Snackbar.Add(L.Describe(e), Severity.Error);
        }
        finally
        {
            _saving = false;
        }
    }

    private async Task RestoreAsync(int version)
    {
        if (Id is not { } id) return;
        try
        {
            var (_, current) = await Store.RestoreAsync(_scope, _user, id, version, CompleteEvenIfClosed);
            var template = await Store.FindAsync(id, _scope, _user, Closing);
            (_body, _version) = (template!.Body, current);
            _versions = await Store.VersionsAsync(id, _scope, Closing);
            Snackbar.Add(L["Version {0} restored as version {1}.", version, current], Severity.Success);
            await AnalyzeAsync(Closing);
        }
        catch (Exception e) when (e is DomainException or TemplateSyntaxException)
        {
            Snackbar.Add(L.Describe(e), Severity.Error);
        }
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        _pending?.Cancel();
        if (_module is not null)
        {
            try
            {
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone and the module with it.
            }
        }
    }
}
