using Portal.Cli.Bench;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;

namespace Portal.Tests.Cli;

/// <summary>
/// <c>bench alarm</c>'s measuring core at a tiny size (20 employees, no campaign, SQLite, the
/// in-process bus, the SMSC simulator over loopback): the bench runs between releases only, so this
/// keeps its code from rotting. It checks that the figures are real, not that they meet the targets.
/// </summary>
public sealed class AlarmBenchTests
{
    [Fact]
    public async Task Core_AtTwentyEmployees_SubmitsAll_AppliesEveryConfirmation_AndSeesTheEscalation()
    {
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit: false,
            settings: new Dictionary<string, string?> { ["Alerts:PollInterval"] = "00:00:00.200" });
        await h.StartAsync();
        var output = new StringWriter();
        var core = new AlarmBenchCore(h.Services, (from, text) => h.Smsc.InjectMoAsync(from, "1234", text), output);
        var group = await core.SeedStaffAsync(20);
        Assert.Equal(group, await core.SeedStaffAsync(20));

        var figures = await core.MeasureAsync("test", group,
            new AlarmBenchSettings(Employees: 20, Confirmations: 4, EscalationTimeout: TimeSpan.FromSeconds(2), EscalationPeople: 3) { Patience = TimeSpan.FromSeconds(20) });

        var printed = output.ToString();
        Assert.True(figures.AllSubmitted, printed);
        Assert.Equal(20, figures.Recipients);
        Assert.All(figures.SubmitSeenMs, ms => Assert.InRange(ms, 0, 20_000));
        Assert.Equal(20, figures.SubmitClaimMs.Length);
        Assert.Equal(4, figures.ConfirmationsSent);
        Assert.Equal(4, figures.ConfirmMs.Length);
        Assert.All(figures.ConfirmMs, ms => Assert.InRange(ms, 0, 20_000));
        Assert.Equal(3, figures.Level2Recipients);
        Assert.NotNull(figures.EscalationFiredLateMs);
        Assert.NotNull(figures.EscalationSubmittedLateMs);
        // Never before the deadline (the loop's clock and ours are the same machine's).
        Assert.InRange(figures.EscalationFiredLateMs!.Value, -50, 20_000);
        Assert.Contains("alarm to 20", printed, StringComparison.Ordinal);
        Assert.Contains("target ≤ 1000 ms", printed, StringComparison.Ordinal);
    }
}
