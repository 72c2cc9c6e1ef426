using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Messages;
using Portal.Infrastructure.Bi;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Bi;

/// <summary>Issue 16, item 6: the cost report and a seeded provider statement, on both databases.</summary>
public sealed class FinanceReportsTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task CostReport_ByMonthDepartmentProviderOperator_SumsToTheMessages(DatabaseProvider provider)
    {
        await using var world = await BiWorld.CreateAsync(provider, clients: 1_000);
        var rows = await world.Finance.CostReportAsync(new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), null, CancellationToken.None);
        await using var db = world.Database.CreateContext();
        var sent = await db.Messages.Where(m => m.Status != MessageStatus.Control).Select(m => new { m.Parts, m.Cost }).ToListAsync();
        Assert.All(rows, r => Assert.Equal("2026-11", r.Month));
        Assert.All(rows, r => Assert.Equal("Retail", r.Department));
        Assert.All(rows, r => Assert.Equal("MegaSMS", r.Provider));
        Assert.Equal(rows.Count, rows.Select(r => r.Operator).Distinct().Count());
        Assert.Equal(sent.Count, rows.Sum(r => r.Messages));
        Assert.Equal(sent.Sum(m => (long)m.Parts), rows.Sum(r => r.Parts));
        Assert.Equal(sent.Sum(m => m.Cost), rows.Sum(r => r.Cost));
        Assert.Empty(await world.Finance.CostReportAsync(new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc), null, CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SeededStatement_ShowsMatchedMissingOnBothSidesMismatchesAndTheDifference(DatabaseProvider provider)
    {
        await using var world = await BiWorld.CreateAsync(provider, clients: 1_000);
        List<(string Id, int Parts, decimal Cost)> ours;
        await using (var db = world.Database.CreateContext())
        {
            ours = (await db.Messages.Where(m => m.Status != MessageStatus.Control).OrderBy(m => m.Id)
                .Select(m => new { m.ProviderMessageId, m.Parts, m.Cost }).ToListAsync()).Select(m => (m.ProviderMessageId!, m.Parts, m.Cost)).ToList();
        }
        Assert.Equal(900, ours.Count);
        // The provider bills all but 3 of ours, 2 it says it sent that Portal never did, and one at another price.
        var csv = new StringBuilder("date,message_id,parts,amount,currency\r\n");
        for (var i = 3; i < ours.Count; i++)
        {
            var amount = i == 10 ? ours[i].Cost + 1m : ours[i].Cost;
            csv.Append(CultureInfo.InvariantCulture, $"2026-11-02,{ours[i].Id},{ours[i].Parts},{amount:0.00},RUB\r\n");
        }
        csv.Append("2026-11-02,ghost-1,1,0.35,RUB\r\n2026-11-02,ghost-2,2,0.70,rub\r\n");
        var (lines, errors) = world.Finance.Parse(new StringReader(csv.ToString()));
        Assert.Empty(errors);
        var result = await world.Finance.ReconcileAsync(world.ProviderId, lines, CancellationToken.None);

        Assert.Equal(899, result.StatementRows);
        Assert.Equal(896, result.Matched);
        Assert.Equal(1, result.Mismatched);
        Assert.Equal(2, result.MissingInPortal);
        Assert.Equal(3, result.MissingInStatement);
        var portalTotal = ours.Sum(o => o.Cost);
        var statementTotal = ours.Skip(3).Sum(o => o.Cost) + 1m + 1.05m;
        Assert.Equal(portalTotal, result.PortalAmount);
        Assert.Equal(statementTotal, result.StatementAmount);
        Assert.Equal(statementTotal - portalTotal, result.Difference);
        Assert.Equal(["ghost-1", "ghost-2"], result.Items.Where(i => i.Kind == "missing_in_portal").Select(i => i.MessageId));
        Assert.Equal(ours.Take(3).Select(o => o.Id), result.Items.Where(i => i.Kind == "missing_in_statement").Select(i => i.MessageId));
        var mismatch = Assert.Single(result.Items, i => i.Kind == "mismatch");
        Assert.Equal(ours[10].Id, mismatch.MessageId);
        Assert.Equal(9, mismatch.Row); // header is row 1, ours[3] row 2
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task CountStatement_ComparesEachDay(DatabaseProvider provider)
    {
        await using var world = await BiWorld.CreateAsync(provider, clients: 200);
        await using var db = world.Database.CreateContext();
        var sent = await db.Messages.Where(m => m.Status != MessageStatus.Control).Select(m => new { m.Parts, m.Cost }).ToListAsync();
        var csv = $"date,count,parts,amount,currency\n2026-11-02,{sent.Count},{sent.Sum(m => m.Parts)},{sent.Sum(m => m.Cost).ToString(CultureInfo.InvariantCulture)},RUB\n2026-11-03,5,5,1.75,RUB\n";
        var (lines, errors) = world.Finance.Parse(new StringReader(csv));
        Assert.Empty(errors);
        var result = await world.Finance.ReconcileAsync(world.ProviderId, lines, CancellationToken.None);
        Assert.Equal(1, result.Matched);
        Assert.Equal(1, result.MissingInPortal);
        Assert.Equal(1.75m, result.Difference);
    }

    [Theory]
    [InlineData("date,message_id,parts,amount,currency,colour\n2026-11-02,a,1,0.35,RUB,red\n", 1, "colour", "Unknown column.")]
    [InlineData("date,message_id,parts,currency\n2026-11-02,a,1,RUB\n", 1, "amount", "Missing column.")]
    [InlineData("date,message_id,count,parts,amount,currency\n2026-11-02,a,1,1,0.35,RUB\n", 1, "message_id", "Give either message_id or count.")]
    [InlineData("date,message_id,parts,amount,currency\n2026-11-02,a,1,0.35,RUB\n2026-11-02,b,1,0.35,RUB\n2026-11-02,a,1,0.35,RUB\n", 4, "message_id", "Duplicate id (first on row 2).")]
    [InlineData("date,message_id,parts,amount,currency\n2026-11-02,a,1,0.35,RUB\n2026-11-02,b,1,0.35,USD\n", 3, "currency", "Another currency than RUB.")]
    [InlineData("date,message_id,parts,amount,currency\n02/11/2026,a,1,0.35,RUB\n", 2, "date", "Not a date (yyyy-MM-dd).")]
    [InlineData("date,message_id,parts,amount,currency\n2026-11-02,a,one,0.35,RUB\n", 2, "parts", "Not a whole number.")]
    [InlineData("date,message_id,parts,amount,currency\n2026-11-02,a,1\n", 2, "", "Expected 5 fields, found 3.")]
    public async Task BadStatement_GivesRowNumberedErrors_AndNoLines(string csv, int row, string column, string reason)
    {
        await using var world = await BiWorld.CreateAsync(DatabaseProvider.Sqlite, clients: 10);
        var (lines, errors) = world.Finance.Parse(new StringReader(csv));
        Assert.Empty(lines);
        Assert.Contains(errors, e => e.Row == row && e.Column == column && e.Text == reason);
    }
}
