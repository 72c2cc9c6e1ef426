using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Dashboard;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Persistence.Sqlite;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Persistence;

/// <summary>
/// Issue 20: a campaign's page and the dashboard's first read must not visit a table row per
/// message (at 1.9 M messages that is seconds). The statements the code really sends are captured
/// and SQLite's <c>EXPLAIN QUERY PLAN</c> must show a covering index for every read of Messages;
/// the figures themselves are checked on both databases.
/// </summary>
public class MessageIndexPlanTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 5, DateTimeKind.Utc);

    /// <summary>Runs EXPLAIN QUERY PLAN on each statement that reads Messages, with its parameters, before it runs.</summary>
    private sealed class PlanCapture : DbCommandInterceptor
    {
        public List<(string Sql, List<string> Plan)> Statements { get; } = [];

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("FROM \"Messages\"", StringComparison.Ordinal))
            {
                await using var explain = command.Connection!.CreateCommand();
                explain.Transaction = command.Transaction;
                explain.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
                foreach (SqliteParameter p in command.Parameters)
                {
                    explain.Parameters.Add(new SqliteParameter(p.ParameterName, p.Value));
                }
                var plan = new List<string>();
                await using (var reader = await explain.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken)) plan.Add(reader.GetString(3));
                }
                Statements.Add((command.CommandText, plan));
            }
            return result;
        }
    }

    private sealed class CapturingFactory(TestDatabase database, PlanCapture capture) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => new SqlitePortalDbContext(
            new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite(database.ConnectionString).AddInterceptors(capture).Options);
    }

    private static async Task<int> SeedAsync(TestDatabase database)
    {
        await using var db = database.CreateContext();
        var client = new Client(PhoneNumber.Parse("+79160000001"), "Anna", "Smith", Now.AddYears(-1));
        db.Clients.Add(client);
        var segment = new Segment("Everyone", null, SegmentRuleJson.Serialize(SegmentRule.Everyone()), "tester", Now);
        db.Segments.Add(segment);
        await db.SaveChangesAsync();
        var campaign = new Campaign("Sending", null, MessagePurpose.Service, "tester", Now.AddHours(-3), new CampaignSettings { SegmentId = segment.Id, Body = "Hello" });
        campaign.Schedule(Now.AddHours(-2), Now.AddHours(-2));
        campaign.Start(Now.AddHours(-2));
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync();
        Message Msg(MessageStatus status, int parts, decimal cost, string? error = null) =>
            new(campaign.Id, client.Id, "+79160000001", Now.AddHours(-2))
            {
                Status = status, Parts = parts, Cost = cost, ErrorCode = error,
                SubmittedAt = parts > 0 ? Now.AddHours(-1) : null,
                DoneAt = status is MessageStatus.Delivered or MessageStatus.Undeliverable ? Now.AddMinutes(-50) : null,
            };
        for (var i = 0; i < 3; i++) db.Messages.Add(Msg(MessageStatus.Delivered, 2, 0.7m));
        db.Messages.Add(Msg(MessageStatus.Submitted, 1, 0.35m));
        for (var i = 0; i < 2; i++) db.Messages.Add(Msg(MessageStatus.Undeliverable, 1, 0.35m, "001"));
        db.Messages.Add(Msg(MessageStatus.Undeliverable, 1, 0.35m, "smpp:0x00000058"));
        for (var i = 0; i < 2; i++) db.Messages.Add(Msg(MessageStatus.Queued, 0, 0));
        await db.SaveChangesAsync();
        return campaign.Id;
    }

    private static void AssertEveryReadIsCovered(PlanCapture capture, int expectedStatements)
    {
        Assert.Equal(expectedStatements, capture.Statements.Count);
        foreach (var (sql, plan) in capture.Statements)
        {
            var reads = plan.Where(p => p.StartsWith("SEARCH", StringComparison.Ordinal) || p.StartsWith("SCAN", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(reads);
            Assert.All(reads, p => Assert.True(p.Contains("COVERING INDEX", StringComparison.Ordinal), $"{p}\nin\n{sql}"));
        }
    }

    [Fact]
    public async Task CampaignProgress_SumsAndErrorCodes_ReadOnlyTheCoveringIndex()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var campaignId = await SeedAsync(database);
        var capture = new PlanCapture();

        await using var db = new CapturingFactory(database, capture).CreateDbContext();
        await CampaignOperations.ReadProgressAsync(db, campaignId, CancellationToken.None);

        // Counts, parts and cost by (status, error code): one statement, one pass over the index. (Replies read InboundMessages.)
        AssertEveryReadIsCovered(capture, 1);
    }

    [Fact]
    public async Task DashboardFirstRead_TodaysSums_ReadOnlyCoveringIndexes()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await SeedAsync(database);
        var capture = new PlanCapture();
        var queries = Dashboard(new CapturingFactory(database, capture));

        var s = await queries.ReadAsync(Now.Date);

        Assert.Equal(new TodayTotals(Sent: 7, Delivered: 3, Failed: 3, Parts: 10, Cost: 3.5m), s.Today);
        // Today's sums and final counts, the chart's buckets, the campaign card's counts: all index-only.
        Assert.Contains(capture.Statements, st => st.Sql.Contains("SUM(", StringComparison.Ordinal) && st.Sql.Contains("\"SubmittedAt\" >=", StringComparison.Ordinal));
        AssertEveryReadIsCovered(capture, capture.Statements.Count);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task CampaignProgress_CountsPartsCostAndErrors_AreExact(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var campaignId = await SeedAsync(database);
        await using var db = database.CreateContext();

        var p = await CampaignOperations.ReadProgressAsync(db, campaignId, CancellationToken.None);

        Assert.Equal((9, 2, 1, 3, 3), (p.Total, p.Queued, p.Submitted, p.Delivered, p.Failed));
        Assert.Equal((10L, 3.5m), (p.Parts, p.Cost));
        Assert.Equal([("001", 2), ("smpp:0x00000058", 1)], p.Errors);
    }

    private static DashboardQueries Dashboard(IDbContextFactory<PortalDbContext> factory) =>
        new(factory,
            new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance),
            Options.Create(new SendingOptions()),
            Options.Create(new DashboardOptions { ShareFor = TimeSpan.Zero, CampaignQueryBudget = TimeSpan.FromMinutes(1) }),
            new Dashboard.DashboardQueriesTests.ManualClock(Now), NullLogger<DashboardQueries>.Instance);
}
