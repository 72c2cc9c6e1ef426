using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Audit;

/// <summary>
/// Issue 14: the audit log is append-only in the database and hash-chained; verify-audit finds an
/// entry changed directly in SQL with the guard disabled. Both databases.
/// </summary>
public sealed class AuditChainTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ConcurrentWriters_ProduceOneUnbrokenChain(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var log = new AuditLog(database.Factory, TimeProvider.System);

        // Separate connections and transactions at once, like several nodes; some in batches.
        await Parallel.ForEachAsync(Enumerable.Range(0, 40), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            if (i % 4 == 0)
            {
                await using var db = database.CreateContext();
                db.AuditEntries.AddRange(Enumerable.Range(0, 3).Select(j => new AuditEntry(DateTime.UtcNow, "u", "Ольга 😀", "test.batch", "X", $"{i}-{j}", "details, \"quoted\"")));
                await db.SaveChangesAsync(ct);
            }
            else
            {
                await log.WriteForUserAsync($"u{i}", null, "test.single", details: i % 3 == 0 ? null : $"n={i}", ct: ct);
            }
        });

        await using var check = database.CreateContext();
        var report = await AuditChainVerifier.VerifyAsync(check, CancellationToken.None);
        Assert.True(report.Intact, string.Join("; ", report.Problems));
        Assert.Equal(30 + 10 * 3, report.Checked);
        Assert.Equal((1L, 60L), (report.FirstSeq!.Value, report.LastSeq!.Value));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task UpdateAndDelete_AreRefusedByTheDatabase(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await new AuditLog(database.Factory, TimeProvider.System).WriteForUserAsync("u", "alice", "test.single", details: "original");
        await using var db = database.CreateContext();

        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("UPDATE \"AuditEntries\" SET \"Details\" = 'forged'"));
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM \"AuditEntries\""));
        await Assert.ThrowsAnyAsync<Exception>(() => db.AuditEntries.ExecuteUpdateAsync(s => s.SetProperty(a => a.UserName, "mallory")));
        if (provider == DatabaseProvider.Postgres)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("TRUNCATE \"AuditEntries\""));
        }
        // A row cannot be inserted with a forged position or hash either: SQLite refuses it,
        // PostgreSQL's trigger overwrites the forged values.
        const string forged = "INSERT INTO \"AuditEntries\" (\"At\", \"Action\", \"ChainSeq\", \"PrevHash\", \"Hash\") VALUES ('2026-01-01 00:00:00', 'x', 99, '', 'abc')";
        if (provider == DatabaseProvider.Sqlite)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync(forged));
        }
        else
        {
            await db.Database.ExecuteSqlRawAsync(forged);
            Assert.Equal(2L, await db.AuditEntries.Where(a => a.Action == "x").Select(a => a.ChainSeq).SingleAsync());
            Assert.True((await AuditChainVerifier.VerifyAsync(db, CancellationToken.None)).Intact);
        }

        await using var check = database.CreateContext();
        var entry = await check.AuditEntries.SingleAsync(a => a.Action == "test.single");
        Assert.Equal(("alice", "original"), (entry.UserName, entry.Details));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task VerifyAudit_ReportsTheEntryTamperedWithTheGuardDisabled(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var log = new AuditLog(database.Factory, TimeProvider.System);
        for (var i = 0; i < 5; i++)
        {
            await log.WriteForUserAsync("u", "alice", AuditActions.PersonalDataExported, "Client", $"{i}", $"rows={i}");
        }
        long victim;
        await using (var db = database.CreateContext())
        {
            victim = await db.AuditEntries.Where(a => a.EntityId == "2").Select(a => a.Id).SingleAsync();
            // What a database owner could do: switch the guard off, rewrite history, switch it on.
            var sql = provider == DatabaseProvider.Postgres
                ? $"ALTER TABLE \"AuditEntries\" DISABLE TRIGGER USER; UPDATE \"AuditEntries\" SET \"UserName\" = 'nobody' WHERE \"Id\" = {victim}; ALTER TABLE \"AuditEntries\" ENABLE TRIGGER USER;"
                : $"DROP TRIGGER audit_append_only_update; UPDATE \"AuditEntries\" SET \"UserName\" = 'nobody' WHERE \"Id\" = {victim};";
            await db.Database.ExecuteSqlRawAsync(sql);
        }

        await using var check = database.CreateContext();
        var report = await AuditChainVerifier.VerifyAsync(check, CancellationToken.None);
        var output = new StringWriter();
        var exit = await Portal.Cli.VerifyAuditVerb.WriteAsync(report, null, check, output);

        Assert.Equal(2, exit);
        var problem = Assert.Single(report.Problems);
        Assert.Equal(victim, problem.Id);
        Assert.Contains($"TAMPERED entry id={victim}", output.ToString());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task VerifyAudit_ReportsRemovedEntriesAndACutOffHead(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var log = new AuditLog(database.Factory, TimeProvider.System);
        for (var i = 0; i < 4; i++)
        {
            await log.WriteForUserAsync("u", "alice", "test.single", details: $"{i}");
        }
        string head;
        await using (var db = database.CreateContext())
        {
            var output = new StringWriter();
            Assert.Equal(0, await Portal.Cli.VerifyAuditVerb.WriteAsync(await AuditChainVerifier.VerifyAsync(db, CancellationToken.None), null, db, output));
            head = output.ToString().Split("Head ")[1].Trim();
            var sql = provider == DatabaseProvider.Postgres
                ? "ALTER TABLE \"AuditEntries\" DISABLE TRIGGER USER; DELETE FROM \"AuditEntries\" WHERE \"ChainSeq\" IN (2, 4); ALTER TABLE \"AuditEntries\" ENABLE TRIGGER USER;"
                : "DROP TRIGGER audit_append_only_delete; DELETE FROM \"AuditEntries\" WHERE \"ChainSeq\" IN (2, 4);";
            await db.Database.ExecuteSqlRawAsync(sql);
        }

        await using var check = database.CreateContext();
        var report = await AuditChainVerifier.VerifyAsync(check, CancellationToken.None);
        var text = new StringWriter();
        Assert.Equal(2, await Portal.Cli.VerifyAuditVerb.WriteAsync(report, head, check, text));
        Assert.Contains(report.Problems, p => p.ChainSeq == 3 && p.Reason.Contains("missing"));
        Assert.Contains("cut off the end", text.ToString());
    }
}
