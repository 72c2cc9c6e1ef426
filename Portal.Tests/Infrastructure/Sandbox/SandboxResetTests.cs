using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Common;
using Portal.Domain.Sandbox;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sandbox;
using Portal.Tests.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Sandbox;

/// <summary>Issue 18, item 4: a trainer's reset deletes one trainee's sandbox rows only and makes fresh synthetic clients.</summary>
public sealed class SandboxResetTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Reset_DeletesOnlyThatTraineesSandbox_AndRegeneratesClients(DatabaseProvider provider)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit: false);
        await h.SeedClientsAsync(5);
        var realCampaign = await h.CreateCampaignAsync(schedule: false);
        await h.StartAsync();
        var sandbox = h.Get<TrainingSandbox>();
        await sandbox.EnsureAsync("anna", default);
        await sandbox.EnsureAsync("boris", default);
        // Anna's campaign: launched (messages and chunks exist); no provider answers here, which a reset must not mind.
        var annaCampaign = await sandbox.SendAsync(SandboxPipelineTests.User("anna@test.local"), "anna", "Practice", "Hello", null, default);
        await using (var db = h.Database.CreateContext())
        {
            Assert.Equal(SandboxPartition.SyntheticClients, await db.Messages.CountAsync(m => m.CampaignId == annaCampaign));
            // Different trainees never share a phone.
            var phones = await db.Clients.Where(c => c.SandboxOwnerId != null).Select(c => c.Phone).ToListAsync();
            Assert.Equal(2 * SandboxPartition.SyntheticClients, phones.Distinct().Count());
            Assert.All(phones, p => Assert.True(SandboxPartition.IsSyntheticPhone(p), p));
        }
        var annaClientsBefore = await IdsAsync(h, "anna");

        // Not a trainer: refused, nothing deleted.
        await Assert.ThrowsAsync<DomainException>(() => sandbox.ResetAsync(SandboxPipelineTests.User("anna@test.local", Roles.CampaignManager), "anna", default));
        Assert.Equal(annaClientsBefore, await IdsAsync(h, "anna"));

        await sandbox.ResetAsync(SandboxPipelineTests.User("trainer@test.local", Roles.Trainer), "anna", default);

        await using (var db = h.Database.CreateContext())
        {
            Assert.False(await db.Campaigns.AnyAsync(c => c.SandboxOwnerId == "anna"));
            Assert.False(await db.Messages.AnyAsync(m => m.CampaignId == annaCampaign));
            Assert.Equal(1, await db.Templates.CountAsync(t => t.SandboxOwnerId == "anna"));
            Assert.Equal(1, await db.Segments.CountAsync(s => s.SandboxOwnerId == "anna"));
            // Boris's sandbox and the real data are untouched.
            Assert.Equal(SandboxPartition.SyntheticClients, await db.Clients.CountAsync(c => c.SandboxOwnerId == "boris"));
            Assert.Equal(5, await db.Clients.CountAsync(c => c.SandboxOwnerId == null));
            Assert.True(await db.Campaigns.AnyAsync(c => c.Id == realCampaign));
            Assert.Equal(2, await db.Segments.CountAsync(s => s.SandboxOwnerId == null || s.SandboxOwnerId == "boris"));
        }
        // No built-in simulator here: the sandbox campaign found no route and never reached the real SMSC.
        Assert.Equal(0, h.Smsc.Statistics.SubmitSm);
        var annaClientsAfter = await IdsAsync(h, "anna");
        Assert.Equal(SandboxPartition.SyntheticClients, annaClientsAfter.Count);
        Assert.Empty(annaClientsAfter.Intersect(annaClientsBefore));
    }

    private static async Task<List<long>> IdsAsync(DispatchHarness h, string owner)
    {
        await using var db = h.Database.CreateContext();
        return await db.Clients.Where(c => c.SandboxOwnerId == owner).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync();
    }
}
