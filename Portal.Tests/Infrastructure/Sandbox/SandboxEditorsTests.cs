using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Campaigns;
using Portal.Domain.Common;
using Portal.Domain.Providers;
using Portal.Domain.Sandbox;
using Portal.Domain.Segments;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sandbox;
using Portal.Infrastructure.Segments;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Infrastructure.Templates;
using Portal.Tests.Infrastructure.Campaigns;
using Portal.Tests.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Sandbox;

/// <summary>
/// Issue 18: the real editors' save paths inside the training sandbox. A trainee in sandbox mode
/// saves an audience, a template and a campaign through the same store calls the pages make (with
/// the scope <see cref="DepartmentScopes"/> gives them): the rows carry the trainee's
/// <c>SandboxOwnerId</c>, a real user never sees them, no edit moves a row between partitions, and
/// the launched sandbox campaign reaches the trainee's synthetic clients through the built-in
/// simulator only, although it names the real (cheaper) provider.
/// </summary>
public sealed class SandboxEditorsTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static readonly ClaimsPrincipal Trainee = Actors.Principal("u-trainee", "trainee@test.local", Roles.CampaignManager);
    private static readonly ClaimsPrincipal Colleague = Actors.Principal("u-real", "real@test.local", Roles.CampaignManager);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TraineeInSandbox_SavesAudienceTemplateCampaign_RowsAreSandboxOnly_EditsNeverCrossPartitions_LaunchReachesOnlySyntheticClients(DatabaseProvider provider)
    {
        await using var h = await DispatchHarness.CreateAsync(provider, rabbit: false);
        var replies = new SandboxReplies { Enabled = false };
        var builtIn = new SmscSimulator(new SmscSimulatorOptions { KeepMessages = true, ReceiptDelay = TimeSpan.FromMilliseconds(5), AutoReply = replies.Answer });
        var builtInPort = (await builtIn.StartAsync()).Port;
        await using var _ = builtIn;
        await using (var db = h.Database.CreateContext())
        {
            db.Providers.Add(new SmsProvider(EmbeddedSmsc.ProviderName, ProviderKind.Smpp,
                new ProviderSettings { Host = "127.0.0.1", Port = builtInPort, SystemId = "portal", Password = "portal", Binds = 1 }.ToJson()) { DefaultPartPrice = 0.50m });
            db.Users.Add(new PortalUser { Id = "u-trainee", UserName = "trainee@test.local", NormalizedUserName = "TRAINEE@TEST.LOCAL" });
            db.Users.Add(new PortalUser { Id = "u-real", UserName = "real@test.local", NormalizedUserName = "REAL@TEST.LOCAL" });
            await db.SaveChangesAsync();
        }
        await h.SeedClientsAsync(10);
        await h.StartAsync();
        var scopes = h.Get<DepartmentScopes>();
        var segments = h.Get<SegmentStore>();
        var templates = h.Get<TemplateStore>();
        var catalog = h.Get<CampaignCatalog>();
        var operations = h.Get<ICampaignOperations>();

        // The colleague's real rows, made through the same calls.
        var realScope = await scopes.ForAsync(Colleague, default);
        Assert.False(realScope.InSandbox);
        var (realSegment, _) = await segments.SaveAsync(realScope, true, null, "Real audience", SegmentRule.Everyone(), "real@test.local", default);
        var (realTemplate, _) = await templates.SaveAsync(realScope, Colleague, null, "Real template", "Hello", default);
        var realCampaign = await catalog.SaveDraftAsync(null, Draft("Real campaign", realSegment, realTemplate, h.ProviderId), Colleague, null, default);

        // The trainee enters the sandbox (the page's switch): the scope now names their partition.
        await h.Get<TrainingSandbox>().SetModeAsync(Trainee, "u-trainee", true, default);
        var scope = await scopes.ForAsync(Trainee, default);
        Assert.Equal("u-trainee", scope.SandboxOwnerId);

        var (segmentId, _) = await segments.SaveAsync(scope, true, null, "Practice audience", SegmentRule.Everyone(), "trainee@test.local", default);
        var (templateId, _) = await templates.SaveAsync(scope, Trainee, null, "Practice template", "Hi {{ client.first_name }}", default);
        var campaignId = await catalog.SaveDraftAsync(null, Draft("Practice campaign", segmentId, templateId, h.ProviderId), Trainee, null, default);

        await using (var db = h.Database.CreateContext())
        {
            Assert.Equal("u-trainee", (await db.Segments.SingleAsync(s => s.Id == segmentId)).SandboxOwnerId);
            Assert.Equal("u-trainee", (await db.Templates.SingleAsync(t => t.Id == templateId)).SandboxOwnerId);
            Assert.Equal("u-trainee", (await db.Campaigns.SingleAsync(c => c.Id == campaignId)).SandboxOwnerId);
            Assert.Null((await db.Campaigns.SingleAsync(c => c.Id == realCampaign)).SandboxOwnerId);
        }
        // The sandbox audience counts the trainee's synthetic clients, the real one the real clients.
        Assert.Equal(SandboxPartition.SyntheticClients, await segments.CountAsync(segmentId, scope, default));
        Assert.Equal(10, await segments.CountAsync(realSegment, realScope, default));

        // A real user sees none of it; the trainee sees only the sandbox's rows.
        Assert.DoesNotContain(await segments.ListAsync(realScope, default), s => s.Id == segmentId);
        Assert.Null(await segments.FindAsync(segmentId, realScope, default));
        Assert.DoesNotContain(await templates.ListAsync(realScope, default), t => t.Id == templateId);
        Assert.Null(await templates.FindAsync(templateId, realScope, Colleague, default));
        Assert.DoesNotContain(await catalog.ListAsync(new CampaignListQuery(), default), c => c.Id == campaignId);
        Assert.Null(await catalog.FindAsync(campaignId, Colleague, default));
        Assert.DoesNotContain((await catalog.OptionsAsync(realScope, default)).Segments, s => s.Id == segmentId);
        Assert.DoesNotContain(await segments.ListAsync(scope, default), s => s.Id == realSegment);
        Assert.Null(await templates.FindAsync(realTemplate, scope, Trainee, default));
        Assert.Null(await catalog.FindAsync(realCampaign, Trainee, default));
        var options = await catalog.OptionsAsync(scope, default);
        Assert.Contains(options.Segments, s => s.Id == segmentId);
        Assert.DoesNotContain(options.Segments, s => s.Id == realSegment);
        Assert.DoesNotContain(options.Templates, t => t.Id == realTemplate);
        Assert.Equal([campaignId], (await catalog.ListAsync(new CampaignListQuery(SandboxOwnerId: "u-trainee"), default)).Select(c => c.Id));

        // Editing a real row from the sandbox fails with the clear error, and the reverse; nothing moves.
        const string RealFromSandbox = "This item is real data: it cannot be opened or changed from the training sandbox.";
        const string SandboxFromReal = "This item belongs to a training sandbox: it cannot be opened or changed outside it.";
        Assert.Equal(RealFromSandbox, (await Assert.ThrowsAsync<DomainException>(() =>
            segments.SaveAsync(scope, true, realSegment, "Taken over", SegmentRule.Everyone(), "trainee@test.local", default))).Text);
        Assert.Equal(RealFromSandbox, (await Assert.ThrowsAsync<DomainException>(() =>
            templates.SaveAsync(scope, Trainee, realTemplate, "Taken over", "Changed", default))).Text);
        Assert.Equal(RealFromSandbox, (await Assert.ThrowsAsync<DomainException>(() =>
            catalog.SaveDraftAsync(realCampaign, Draft("Taken over", realSegment, realTemplate, null), Trainee, null, default))).Text);
        Assert.Equal(RealFromSandbox, (await Assert.ThrowsAsync<DomainException>(() => operations.ScheduleAsync(realCampaign, Trainee))).Text);
        Assert.Equal(RealFromSandbox, (await Assert.ThrowsAsync<DomainException>(() => segments.DeleteAsync(realSegment, scope, default))).Text);
        // A sandbox campaign may only target sandbox audiences and templates.
        Assert.Equal(RealFromSandbox, (await Assert.ThrowsAsync<DomainException>(() =>
            catalog.SaveDraftAsync(null, Draft("Mixed", realSegment, templateId, null), Trainee, null, default))).Text);
        Assert.Equal(RealFromSandbox, (await Assert.ThrowsAsync<DomainException>(() =>
            catalog.SaveDraftAsync(campaignId, Draft("Mixed", segmentId, realTemplate, null), Trainee, null, default))).Text);
        Assert.Equal(SandboxFromReal, (await Assert.ThrowsAsync<DomainException>(() =>
            segments.SaveAsync(realScope, true, segmentId, "Taken over", SegmentRule.Everyone(), "real@test.local", default))).Text);
        Assert.Equal(SandboxFromReal, (await Assert.ThrowsAsync<DomainException>(() =>
            templates.SaveAsync(realScope, Colleague, templateId, "Taken over", "Changed", default))).Text);
        Assert.Equal(SandboxFromReal, (await Assert.ThrowsAsync<DomainException>(() =>
            catalog.SaveDraftAsync(null, Draft("Mixed", segmentId, realTemplate, null), Colleague, null, default))).Text);
        await using (var db = h.Database.CreateContext())
        {
            Assert.Equal(["Real audience"], await db.Segments.Where(s => s.SandboxOwnerId == null).Select(s => s.Name).ToListAsync());
            Assert.Equal(["Real template"], await db.Templates.Where(t => t.SandboxOwnerId == null).Select(t => t.Name).ToListAsync());
            Assert.Equal(["Real campaign"], await db.Campaigns.Where(c => c.SandboxOwnerId == null).Select(c => c.Name).ToListAsync());
            Assert.Equal(CampaignStatus.Draft, (await db.Campaigns.SingleAsync(c => c.Id == realCampaign)).Status);
        }

        // Launching the sandbox campaign the way the wizard does: the simulator gets every message, to synthetic phones only.
        await operations.ScheduleAsync(campaignId, Trainee);
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, DispatchHarness.AllFinal, TimeSpan.FromSeconds(30));
        Assert.Equal(0, h.Smsc.Statistics.SubmitSm);
        Assert.Equal(SandboxPartition.SyntheticClients, builtIn.Statistics.Accepted);
        Assert.All(builtIn.Messages, m => Assert.True(SandboxPartition.IsSyntheticPhone("+" + m.To.Value), m.To.Value));
        await using (var db = h.Database.CreateContext())
        {
            var realClients = db.Clients.Where(c => c.SandboxOwnerId == null).Select(c => c.Id);
            Assert.False(await db.Messages.AnyAsync(m => m.CampaignId == campaignId && realClients.Contains(m.ClientId)));
        }
    }

    private static CampaignDraft Draft(string name, int segmentId, int templateId, int? providerId) => new()
    {
        Name = name,
        Settings = new CampaignSettings
        {
            SegmentId = segmentId,
            TemplateId = templateId,
            Body = "Hi {{ client.first_name }}",
            SenderId = "Training",
            ProviderId = providerId,
            QuietHoursEnabled = false,
            ValidityHours = 1,
        },
    };
}
