using System.Security.Claims;
using Portal.Domain.Common;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;

namespace Portal.Tests.Components;

/// <summary>
/// <see cref="ICampaignOperations"/> whose answers a test scripts: a refusal the domain would give,
/// a progress read that fails, a test send held open. Registered over the fixture's <see cref="FakeOperations"/>.
/// </summary>
internal sealed class ScriptedOperations : ICampaignOperations
{
    public List<string> Calls { get; } = [];

    /// <summary>Thrown by every state change (schedule, approve, pause, resume, cancel) and the test send when set.</summary>
    public DomainException? Refusal { get; set; }

    public Func<int, CampaignProgress> Progress { get; set; } = _ => new CampaignProgress(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, []);

    /// <summary>The test send waits for this when set.</summary>
    public TaskCompletionSource? TestGate { get; set; }

    private Task RecordAsync(string call)
    {
        lock (Calls) Calls.Add(call);
        return Refusal is { } refusal ? Task.FromException(refusal) : Task.CompletedTask;
    }

    public Task ScheduleAsync(int campaignId, ClaimsPrincipal user, CancellationToken ct = default) => RecordAsync($"Schedule:{campaignId}");
    public Task ApproveAsync(int campaignId, ClaimsPrincipal manager, CancellationToken ct = default) => RecordAsync($"Approve:{campaignId}");
    public Task PauseAsync(int campaignId, ClaimsPrincipal user, CancellationToken ct = default) => RecordAsync($"Pause:{campaignId}");
    public Task ResumeAsync(int campaignId, ClaimsPrincipal user, CancellationToken ct = default) => RecordAsync($"Resume:{campaignId}");
    public Task CancelAsync(int campaignId, ClaimsPrincipal user, CancellationToken ct = default) => RecordAsync($"Cancel:{campaignId}");

    public async Task<MessageStatus> SendTestAsync(int campaignId, string? phone, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await RecordAsync($"SendTest:{campaignId}");
        if (TestGate is { } gate) await gate.Task.WaitAsync(ct);
        return MessageStatus.Delivered;
    }

    public Task<CampaignProgress> GetProgressAsync(int campaignId, CancellationToken ct = default) => Task.FromResult(Progress(campaignId));
}
