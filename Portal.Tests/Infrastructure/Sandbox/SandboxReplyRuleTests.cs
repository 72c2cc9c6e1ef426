using Microsoft.EntityFrameworkCore;
using Portal.Domain.Sandbox;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sandbox;
using Portal.Infrastructure.Sending;
using Portal.Tests.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Sandbox;

/// <summary>
/// Issue 18: the simulator's reply rule is set per trainee and stored with the trainee (a claim
/// row), so it survives a restart of the host and each trainee's synthetic phones are answered by
/// their own rule; a trainee without one gets the configured default.
/// </summary>
public sealed class SandboxReplyRuleTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RulePerTrainee_SurvivesARestart_AndAnswersOnlyThatTraineesPhones(DatabaseProvider provider)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit: false);
        await using (var db = h.Database.CreateContext())
        {
            foreach (var id in new[] { "anna", "boris", "vera" })
            {
                db.Users.Add(new PortalUser { Id = id, UserName = id + "@test.local", NormalizedUserName = id.ToUpperInvariant() + "@TEST.LOCAL" });
            }
            await db.SaveChangesAsync();
        }
        await h.StartAsync();
        var sandbox = h.Get<TrainingSandbox>();
        foreach (var id in new[] { "anna", "boris", "vera" }) await sandbox.EnsureAsync(id, default);
        var replies = h.Get<SandboxReplies>();
        await replies.SetRuleAsync("anna", new SandboxReplyRule(true, 0, 1), default);
        await replies.SetRuleAsync("boris", new SandboxReplyRule(false, 1, 0), default);
        await replies.SetRuleAsync("anna", new SandboxReplyRule(true, 0, 2), default); // replaced, not added

        await h.StopAsync();
        await h.StartAsync();

        replies = h.Get<SandboxReplies>();
        Assert.Equal(new SandboxReplyRule(true, 0, 2), await replies.RuleOfAsync("anna", default));
        Assert.Equal(new SandboxReplyRule(false, 1, 0), await replies.RuleOfAsync("boris", default));
        Assert.Equal(replies.Default, await replies.RuleOfAsync("vera", default));
        var anna = await PhonesAsync(h, "anna");
        var boris = await PhonesAsync(h, "boris");
        var vera = await PhonesAsync(h, "vera");
        // Anna: every 2nd message a STOP, nothing else; Boris: never answered; Vera: the default (a reply to every 2nd, STOP to every 5th).
        Assert.Equal([null, "STOP", null, "STOP"], anna.Take(4).Select(p => replies.Answer(p, "Hi")));
        Assert.All(boris, p => Assert.Null(replies.Answer(p, "Hi")));
        var veraAnswers = vera.Take(10).Select(p => replies.Answer(p, "Hi")).ToList();
        Assert.Equal(2, veraAnswers.Count(a => a == "STOP"));
        Assert.Equal(4, veraAnswers.Count(a => a is not null && a != "STOP"));
        Assert.Null(replies.Answer("+79161234567", "Hi"));
        await using (var db = h.Database.CreateContext())
        {
            Assert.Equal(2, await db.UserClaims.CountAsync(c => c.ClaimType == SandboxReplies.ClaimType));
        }
    }

    private static async Task<List<string>> PhonesAsync(DispatchHarness h, string owner)
    {
        await using var db = h.Database.CreateContext();
        var phones = await db.Clients.Where(c => c.SandboxOwnerId == owner).OrderBy(c => c.Id).Select(c => c.Phone).ToListAsync();
        Assert.All(phones, p => Assert.True(SandboxPartition.IsSyntheticPhone(p)));
        return phones;
    }
}
