using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Access;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;
using Portal.Tests.Infrastructure.Analytics;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Bi;

/// <summary>
/// Issue 16 (storage limitation): a UI export's file waits for its download for days, a personal
/// one for hours, and an erasure removes every personal file still there; the history row stays.
/// </summary>
public sealed class ExportFileRetentionTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task PersonalFilesGoAfterHours_OthersAfterDays_HistoryStays(DatabaseProvider provider)
    {
        await using var world = await BiWorld.CreateAsync(provider, clients: 200);
        var (masked, personal) = await ExportBothAsync(world);
        var clock = new AnalyticsWorld.FixedTime(world.Time.GetUtcNow().UtcDateTime.AddHours(2));
        var files = world.ExportFiles(clock);

        Assert.Equal(0, await files.PurgeAsync(everyPersonal: false, CancellationToken.None));
        clock.Now = clock.Now.AddHours(world.Options.PersonalExportHours);
        Assert.Equal(1, await files.PurgeAsync(everyPersonal: false, CancellationToken.None));
        Assert.Equal((true, false), await FilesLeftAsync(world, masked, personal));

        clock.Now = clock.Now.AddDays(world.Options.ExportFileDays);
        Assert.Equal(1, await files.PurgeAsync(everyPersonal: false, CancellationToken.None));
        Assert.Equal((false, false), await FilesLeftAsync(world, masked, personal));
        Assert.Empty(Directory.GetFiles(Path.Combine(world.Folder, "exports")));
        await using var db = world.Database.CreateContext();
        Assert.Equal(2, await db.BiExports.CountAsync(e => e.Status == BiExportStatus.Succeeded && e.Location == null));
    }

    [Fact]
    public async Task Erasure_RemovesEveryPersonalExportFile_KeepsMaskedOnes()
    {
        await using var world = await BiWorld.CreateAsync(DatabaseProvider.Sqlite, clients: 200);
        var (masked, personal) = await ExportBothAsync(world);
        long clientId;
        await using (var db = world.Database.CreateContext()) clientId = await db.Clients.MinAsync(c => c.Id);
        var bus = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        var erasure = new ClientErasure(world.Database.Factory, bus, Microsoft.Extensions.Options.Options.Create(new SendingOptions()),
            world.ExportFiles(world.Time), world.Time, NullLogger<ClientErasure>.Instance);

        Assert.Equal([clientId], await erasure.EraseAsync([clientId], null, "test", CancellationToken.None));

        Assert.Equal((true, false), await FilesLeftAsync(world, masked, personal));
    }

    private static async Task<(long Masked, long Personal)> ExportBothAsync(BiWorld world)
    {
        var exporter = world.Exporter();
        var request = new BiExportRequest(BiDatasets.Messages, BiFormat.Csv, new BiFilter(CampaignId: world.CampaignId));
        var masked = await exporter.ExportForUserAsync(BiWorld.User(Roles.Analyst), request, null, CancellationToken.None);
        var personal = await exporter.ExportForUserAsync(BiWorld.User(Roles.Administrator), request, null, CancellationToken.None);
        Assert.True(personal.Personal);
        Assert.False(masked.Personal);
        Assert.NotNull(exporter.FileOf(masked));
        Assert.NotNull(exporter.FileOf(personal));
        return (masked.Id, personal.Id);
    }

    /// <summary>Whether each export still offers its file, as the download endpoint decides.</summary>
    private static async Task<(bool Masked, bool Personal)> FilesLeftAsync(BiWorld world, long masked, long personal)
    {
        await using var db = world.Database.CreateContext();
        var exporter = world.Exporter();
        var m = await db.BiExports.AsNoTracking().SingleAsync(e => e.Id == masked);
        var p = await db.BiExports.AsNoTracking().SingleAsync(e => e.Id == personal);
        return (exporter.FileOf(m) is not null, exporter.FileOf(p) is not null);
    }
}
