using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.Extensions.Localization;
using Microsoft.JSInterop;
using Portal.Domain.Tours;
using Portal.Infrastructure.Tours;
using Portal.Resources;

namespace Portal.Components.Tours;

/// <summary>Issue 18: whether a new user is offered the orientation tour (tests of other pages turn it off).</summary>
public sealed class TourOptions
{
    public const string Section = "Tours";

    public bool OfferOrientation { get; set; } = true;
}

/// <summary>
/// Plays one tour at a time in a circuit (scoped): shows each step through <c>tours.js</c>, moves
/// to the step's page when it is on another one, advances on Next or when the step's "wait for"
/// happens, and records every move in the database so progress survives sign-out and restarts.
/// </summary>
public sealed class TourRunner(
    IJSRuntime js,
    NavigationManager navigation,
    TourCatalog catalog,
    AuthenticationStateProvider authentication,
    IStringLocalizer<SharedResource> L,
    ILogger<TourRunner> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _closing = new();
    private IJSObjectReference? _module;
    private DotNetObjectReference<TourRunner>? _self;
    private string? _userId;
    private bool _subscribed;

    /// <summary>The tour being played, or null.</summary>
    public TourPlay? Active { get; private set; }

    /// <summary>The step shown (0-based).</summary>
    public int Index { get; private set; }

    /// <summary>Set when a step's anchor was not on its page: the tour stopped there.</summary>
    public string? Problem { get; private set; }

    /// <summary>Raised when a tour starts, moves or ends (the "?" menu refreshes its states).</summary>
    public event Action? Changed;

    public static bool Russian => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ru";

    /// <summary>The base-relative path of the page shown, without query or fragment.</summary>
    public string CurrentPath
    {
        get
        {
            var relative = navigation.ToBaseRelativePath(navigation.Uri);
            var cut = relative.IndexOfAny(['?', '#']);
            return (cut < 0 ? relative : relative[..cut]).Trim('/');
        }
    }

    public async Task<(string UserId, IReadOnlyList<string> Roles)?> UserAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (user.Identity?.IsAuthenticated != true || id is null)
        {
            return null;
        }
        return (id, user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList());
    }

    public async Task<IReadOnlyList<TourPlay>> AvailableAsync()
    {
        if (await UserAsync() is not { } user)
        {
            return [];
        }
        return await catalog.ForUserAsync(user.UserId, [.. user.Roles], _closing.Token);
    }

    public async Task<IReadOnlyDictionary<int, TourState>> StatesAsync() =>
        await UserAsync() is { } user ? await catalog.StatesAsync(user.UserId, _closing.Token) : new Dictionary<int, TourState>();

    /// <summary>Starts (or, from <paramref name="fromStep"/>, resumes) a tour.</summary>
    public async Task StartAsync(TourPlay tour, int fromStep = 0)
    {
        if (await UserAsync() is not { } user)
        {
            return;
        }
        _userId = user.UserId;
        await CloseAsync();
        Subscribe();
        Active = tour;
        Problem = null;
        // A step on a "*" page cannot be reached by navigation: resume from the step that leads there.
        Index = Math.Clamp(fromStep, 0, tour.Steps.Count - 1);
        while (Index > 0 && tour.Steps[Index].Route.EndsWith('*'))
        {
            Index--;
        }
        if (fromStep == 0)
        {
            await catalog.StartAsync(_userId, tour, _closing.Token);
        }
        Changed?.Invoke();
        await ShowAsync();
    }

    [JSInvokable]
    public async Task Next()
    {
        if (Active is not { } tour || _userId is null)
        {
            return;
        }
        if (Index >= tour.Steps.Count - 1)
        {
            await catalog.FinishAsync(_userId, tour.Id, _closing.Token);
            await EndAsync();
            return;
        }
        Index++;
        await catalog.ReachAsync(_userId, tour.Id, Index, _closing.Token);
        await ShowAsync();
    }

    [JSInvokable]
    public async Task Back()
    {
        if (Active is null || Index == 0)
        {
            return;
        }
        Index--;
        // Back onto a step that waited for a navigation: the page it starts from is the one before.
        await ShowAsync();
    }

    [JSInvokable]
    public async Task Skip()
    {
        if (Active is not { } tour || _userId is null)
        {
            return;
        }
        await catalog.SkipAsync(_userId, tour.Id, Index, _closing.Token);
        await EndAsync();
    }

    private async Task EndAsync()
    {
        Active = null;
        await CloseAsync();
        Changed?.Invoke();
    }

    private async Task ShowAsync()
    {
        if (Active is not { } tour)
        {
            return;
        }
        var step = tour.Steps[Index];
        if (!step.IsOnPage(CurrentPath) && !step.Route.EndsWith('*'))
        {
            navigation.NavigateTo(step.Route.Length == 0 ? "./" : step.Route);
        }
        var russian = Russian;
        var last = Index == tour.Steps.Count - 1;
        var module = await ModuleAsync();
        var shown = await module.InvokeAsync<string>("show", _closing.Token, new
        {
            anchor = step.Anchor,
            title = step.Title(russian),
            text = step.Text(russian),
            index = Index,
            progress = L["{0} of {1}", Index + 1, tour.Steps.Count].Value,
            wait = (int)step.Wait,
            waitTarget = step.WaitTarget,
            hint = step.Wait == TourWait.None ? null : L["Do it to continue."].Value,
            next = last ? L["Done"].Value : L["Next"].Value,
            back = L["Back"].Value,
            skip = L["Skip tour"].Value,
        }, _self);
        if (shown == "missing" && Active == tour)
        {
            // A renamed control: stop rather than point at nothing (the tour tests catch it first).
            logger.LogWarning("Tour {Tour} step {Step}: anchor {Anchor} not found on {Path}", tour.Key, Index, step.Anchor, CurrentPath);
            Problem = L["This step's control is not on the page: the tour stops here."];
            Active = null;
            Changed?.Invoke();
        }
        else
        {
            Changed?.Invoke();
        }
    }

    private void Subscribe()
    {
        if (!_subscribed)
        {
            navigation.LocationChanged += OnLocationChanged;
            _subscribed = true;
        }
    }

    private async void OnLocationChanged(object? sender, LocationChangedEventArgs e)
    {
        try
        {
            if (Active is { } tour && tour.Steps[Index] is { Wait: TourWait.Navigate, WaitTarget: { } target }
                && CurrentPath.StartsWith(target.Trim('/'), StringComparison.OrdinalIgnoreCase))
            {
                await Next();
            }
        }
        catch (Exception ex) when (ex is JSDisconnectedException or OperationCanceledException or TaskCanceledException)
        {
            // The circuit is going away.
        }
    }

    private async Task CloseAsync()
    {
        if (_module is not null)
        {
            try
            {
                await _module.InvokeVoidAsync("close", _closing.Token);
            }
            catch (JSDisconnectedException)
            {
            }
        }
    }

    private async Task<IJSObjectReference> ModuleAsync()
    {
        _self ??= DotNetObjectReference.Create(this);
        return _module ??= await js.InvokeAsync<IJSObjectReference>("import", _closing.Token, "./tours.js");
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscribed)
        {
            navigation.LocationChanged -= OnLocationChanged;
        }
        await _closing.CancelAsync();
        if (_module is not null)
        {
            try
            {
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
            }
        }
        _self?.Dispose();
        _closing.Dispose();
    }
}
