using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Segments;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Persistence.Postgres;
using Portal.Infrastructure.Persistence.Sqlite;
using Portal.Infrastructure.Seeding;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Segments;

/// <summary>
/// The same deterministic audience data on SQLite and PostgreSQL: 3,000 demo clients with their
/// events, tags, typed attributes, two campaigns with messages and replies, a static list and
/// saved segments (one referring to another, two referring to each other).
/// </summary>
public sealed class AudienceData : IAsyncLifetime
{
    public const int Clients = 3000;
    public static readonly DateTime Reference = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    public TestDatabase Sqlite { get; private set; } = default!;
    public TestDatabase Postgres { get; private set; } = default!;
    public int CampaignId { get; private set; }
    public int ListId { get; private set; }
    public int GoldSegmentId { get; private set; }
    public int CycleSegmentId { get; private set; }

    public TestDatabase For(DatabaseProvider provider) => provider == DatabaseProvider.Sqlite ? Sqlite : Postgres;

    public async Task InitializeAsync()
    {
        Sqlite = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        Postgres = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        foreach (var database in new[] { Sqlite, Postgres })
        {
            await SeedAsync(database);
        }
    }

    private async Task SeedAsync(TestDatabase database)
    {
        await using (var db = database.CreateContext())
        {
            await DemoClientWriter.WriteAsync(db, DemoClientGenerator.Generate(0, Clients, Reference), null, default);
        }
        await using (var db = database.CreateContext())
        {
            await DemoEventWriter.WriteAsync(db, 5, Reference, null, default);
        }
        await using var ctx = database.CreateContext();
        var clients = await ctx.Clients.OrderBy(c => c.Id).Select(c => new { c.Id, c.Phone }).ToListAsync();
        foreach (var c in clients)
        {
            if (c.Id % 3 == 0) ctx.ClientTags.Add(new ClientTag(c.Id, "vip"));
            if (c.Id % 5 == 0) ctx.ClientTags.Add(new ClientTag(c.Id, "b2b"));
            if (c.Id % 13 == 0) ctx.ClientTags.Add(new ClientTag(c.Id, "churn-risk"));
        }
        var contract = new AttributeDefinition("contract_type", AttributeType.Text, "Contract type");
        var limit = new AttributeDefinition("credit_limit", AttributeType.Number, "Credit limit");
        var ends = new AttributeDefinition("contract_end", AttributeType.Date, "Contract end");
        var card = new AttributeDefinition("has_card", AttributeType.Boolean, "Has a card");
        ctx.AttributeDefinitions.AddRange(contract, limit, ends, card);
        var campaign = new Campaign("Autumn", null, MessagePurpose.Advertising, "test", Reference.AddDays(-60));
        var other = new Campaign("Summer", null, MessagePurpose.Advertising, "test", Reference.AddDays(-150));
        ctx.Campaigns.AddRange(campaign, other);
        var list = new StaticList("Call centre", null, "test", Reference);
        ctx.StaticLists.Add(list);
        await ctx.SaveChangesAsync();

        MessageStatus[] statuses = [MessageStatus.Delivered, MessageStatus.Undeliverable, MessageStatus.Submitted, MessageStatus.Control, MessageStatus.Expired];
        foreach (var c in clients)
        {
            if (c.Id % 2 == 0) ctx.ClientAttributes.Add(new ClientAttribute(c.Id, contract.Id, text: c.Id % 4 == 0 ? "prepaid" : "postpaid"));
            if (c.Id % 3 == 0) ctx.ClientAttributes.Add(new ClientAttribute(c.Id, limit.Id, number: c.Id % 50 * 1000m));
            if (c.Id % 4 == 0) ctx.ClientAttributes.Add(new ClientAttribute(c.Id, ends.Id, date: Reference.AddDays(c.Id % 400 - 200)));
            if (c.Id % 5 == 0) ctx.ClientAttributes.Add(new ClientAttribute(c.Id, card.Id, boolean: c.Id % 10 == 0));
            if (c.Id % 7 == 0)
            {
                ctx.Messages.Add(new Message(campaign.Id, c.Id, c.Phone, Reference.AddDays(-(c.Id % 60))) { Status = statuses[c.Id % 5] });
            }
            if (c.Id % 11 == 0)
            {
                ctx.Messages.Add(new Message(other.Id, c.Id, c.Phone, Reference.AddDays(-(c.Id % 150))) { Status = MessageStatus.Delivered });
            }
            if (c.Id % 21 == 0)
            {
                ctx.InboundMessages.Add(new InboundMessage(c.Phone, "Portal", "да", Reference.AddDays(-1), InboundKind.Reply) { ClientId = c.Id, CampaignId = campaign.Id });
            }
            if (c.Id % 17 == 0)
            {
                ctx.StaticListMembers.Add(new StaticListMember(list.Id, c.Id));
            }
        }
        await ctx.SaveChangesAsync();

        var gold = new Segment("Gold and above", null, Rule("""{"type":"condition","criterion":"loyaltyTier","operator":"greaterOrEqual","value":"Gold"}"""), "test", Reference);
        var a = new Segment("Cycle A", null, "{}", "test", Reference);
        var b = new Segment("Cycle B", null, "{}", "test", Reference);
        ctx.Segments.AddRange(gold, a, b);
        await ctx.SaveChangesAsync();
        a.ChangeRules(Rule($$"""{"type":"condition","criterion":"segment","operator":"in","value":[{{b.Id}}]}"""), Reference);
        b.ChangeRules(Rule($$"""{"type":"condition","criterion":"segment","operator":"in","value":[{{a.Id}}]}"""), Reference);
        await ctx.SaveChangesAsync();
        (CampaignId, ListId, GoldSegmentId, CycleSegmentId) = (campaign.Id, list.Id, gold.Id, a.Id);
    }

    public static string Rule(string condition) => "{\"version\":1,\"root\":{\"type\":\"group\",\"logic\":\"and\",\"children\":[" + condition + "]}}";

    /// <summary>A context that counts the SQL commands it runs.</summary>
    public static PortalDbContext Counted(TestDatabase database, CommandCounter counter) => database.Provider == DatabaseProvider.Sqlite
        ? new SqlitePortalDbContext(new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite(database.ConnectionString).AddInterceptors(counter).Options)
        : new PostgresPortalDbContext(new DbContextOptionsBuilder<PostgresPortalDbContext>().UseNpgsql(database.ConnectionString).AddInterceptors(counter).Options);

    public async Task DisposeAsync()
    {
        await Sqlite.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}

public sealed class CommandCounter : DbCommandInterceptor
{
    public List<string> Commands { get; } = [];

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Commands.Add(command.CommandText);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Commands.Add(command.CommandText);
        return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
    }
}

public sealed class FixedClock(DateTime now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => new(now, TimeSpan.Zero);
}
