using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Components.Sandbox;
using Portal.Domain.Common;
using Portal.Infrastructure.Inbound;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sandbox;
using Portal.Infrastructure.Sending;
using Portal.Resources;

namespace Portal.Components.Pages.Training;

/// <summary>
/// Issue 18, item 4: the trainee's sandbox (practice sends, their campaigns, their inbox) and, for
/// trainers, the simulator's reply rule and the reset of a trainee's sandbox. The server enforces
/// the rest: routing and the partition column (ADR 0015).
/// </summary>
public sealed partial class SandboxPage
{
    [Inject] private SandboxState Sandbox { get; set; } = default!;
    [Inject] private TrainingSandbox Sandboxes { get; set; } = default!;
    [Inject] private InboxQueries Inbox { get; set; } = default!;
    [Inject] private SandboxReplies Replies { get; set; } = default!;
    [Inject] private IDbContextFactory<PortalDbContext> Contexts { get; set; } = default!;
    [Inject] private AuthenticationStateProvider Authentication { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    private PeriodicTimer? _timer;
    private int _clients;
    private string _name = "Practice";
    private string _body = "Hello {{ client.first_name }}! Reply to this practice message.";
    private int? _providerId;
    private bool _busy;
    private List<(int Id, string Name)> _providers = [];
    private IReadOnlyList<SandboxCampaignRow> _campaigns = [];
    private IReadOnlyList<InboxRow> _inbox = [];
    private IReadOnlyList<SandboxTraineeRow> _trainees = [];
    private string? _ruleOwner;
    private bool _ruleEnabled;
    private int _ruleReplyEvery;
    private int _ruleStopEvery;

    protected override async Task OnInitializedAsync()
    {
        Sandbox.Changed += OnSandboxChanged;
        await Sandbox.LoadAsync(Closing);
        await using (var db = await Contexts.CreateDbContextAsync(Closing))
        {
            _providers = (await db.Providers.AsNoTracking().Where(p => p.Enabled).OrderBy(p => p.Name).Select(p => new { p.Id, p.Name }).ToListAsync(Closing))
                .Select(p => (p.Id, p.Name)).ToList();
        }
        await RefreshAsync();
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive) _ = PollAsync();
    }

    /// <summary>Campaign counts and replies change by themselves (the simulator answers): poll every 2 s while open.</summary>
    private async Task PollAsync()
    {
        _timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        try
        {
            while (await _timer.WaitForNextTickAsync(Closing))
            {
                await InvokeAsync(async () =>
                {
                    await RefreshAsync();
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RefreshAsync()
    {
        if (Sandbox.Active && Sandbox.UserId is { } owner)
        {
            _clients = await Sandboxes.ClientCountAsync(owner, Closing);
            _campaigns = await Sandboxes.CampaignsAsync(owner, Closing);
            _inbox = (await Sandboxes.InboxAsync(Inbox, owner, Closing)).Rows;
        }
        var user = (await Authentication.GetAuthenticationStateAsync()).User;
        if (user.IsInRole(Portal.Domain.Access.Roles.Trainer) || user.IsInRole(Portal.Domain.Access.Roles.Administrator))
        {
            _trainees = await Sandboxes.TraineesAsync(Closing);
        }
    }

    private async Task SetModeAsync(bool on)
    {
        await Sandbox.SetAsync(on, Closing);
        await RefreshAsync();
    }

    private async Task SendAsync()
    {
        if (Sandbox.UserId is not { } owner) return;
        _busy = true;
        try
        {
            var user = (await Authentication.GetAuthenticationStateAsync()).User;
            await Sandboxes.SendAsync(user, owner, _name, _body, _providerId, Closing);
            Snackbar.Add(L["Sent to the sandbox audience."], Severity.Success);
            await RefreshAsync();
        }
        catch (DomainException e)
        {
            Snackbar.Add(L.Describe(e), Severity.Error);
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>Issue 18: the simulator's rule is the trainee's own, stored with them (survives restarts).</summary>
    private async Task PickRuleOwnerAsync(string? owner)
    {
        _ruleOwner = owner;
        if (owner is null) return;
        (_ruleEnabled, _ruleReplyEvery, _ruleStopEvery) = await Replies.RuleOfAsync(owner, Closing);
    }

    private async Task SaveRuleAsync()
    {
        if (_ruleOwner is not { } owner) return;
        try
        {
            await Replies.SetRuleAsync(owner, new SandboxReplyRule(_ruleEnabled, _ruleReplyEvery, _ruleStopEvery), Closing);
            Snackbar.Add(L["The simulator's rule for this trainee was saved."], Severity.Success);
        }
        catch (DomainException e)
        {
            Snackbar.Add(L.Describe(e), Severity.Error);
        }
    }

    private async Task ResetAsync(SandboxTraineeRow trainee)
    {
        var user = (await Authentication.GetAuthenticationStateAsync()).User;
        await Sandboxes.ResetAsync(user, trainee.UserId, Closing);
        Snackbar.Add(L["The sandbox of {0} was reset.", trainee.UserName], Severity.Success);
        await RefreshAsync();
    }

    private void OnSandboxChanged() => _ = InvokeAsync(async () =>
    {
        await RefreshAsync();
        StateHasChanged();
    });

    protected override ValueTask DisposeAsyncCore()
    {
        Sandbox.Changed -= OnSandboxChanged;
        _timer?.Dispose();
        return ValueTask.CompletedTask;
    }
}
