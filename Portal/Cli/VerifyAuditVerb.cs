using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;

namespace Portal.Cli;

/// <summary>
/// <c>verify-audit [--head SEQ:HASH]</c>: recomputes the audit log's hash chain and lists every
/// entry that was changed, removed, reordered or written around the database trigger. Prints the
/// chain's head; recorded elsewhere (a ticket, syslog) and passed back as <c>--head</c>, it also
/// proves that no entry after it was cut off the end. Exit code 0 intact, 2 tampered, 1 error.
/// Reads only: it does not migrate the database.
/// </summary>
internal static class VerifyAuditVerb
{
    public static async Task<int> RunAsync(string[] args)
    {
        using var host = VerbHost.Build(args[1..]);
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var report = await AuditChainVerifier.VerifyAsync(db, CancellationToken.None);
        return await WriteAsync(report, CliVerbs.Option(args, "head"), db, Console.Out);
    }

    internal static async Task<int> WriteAsync(AuditChainReport report, string? expectedHead, PortalDbContext db, TextWriter output)
    {
        var problems = report.Problems.ToList();
        if (expectedHead is not null)
        {
            var parts = expectedHead.Split(':', 2);
            if (parts.Length != 2 || !long.TryParse(parts[0], out var seq))
            {
                await output.WriteLineAsync("--head must be SEQ:HASH, as printed by an earlier run.");
                return 1;
            }
            var hash = await db.AuditEntries.AsNoTracking().Where(a => a.ChainSeq == seq).Select(a => a.Hash).FirstOrDefaultAsync();
            if (!string.Equals(hash, parts[1], StringComparison.OrdinalIgnoreCase))
            {
                problems.Add(new AuditChainProblem(0, seq, hash is null ? "the recorded head is gone (entries cut off the end)" : "the recorded head's hash differs"));
            }
        }
        if (report.FirstSeq > 1)
        {
            await output.WriteLineAsync($"Entries before {report.FirstSeq} were purged by retention; the chain is checked from there.");
        }
        foreach (var p in problems)
        {
            await output.WriteLineAsync($"TAMPERED entry id={p.Id} seq={p.ChainSeq?.ToString() ?? "-"}: {p.Reason}");
        }
        var head = report.LastSeq is { } last
            ? $"{last}:{await db.AuditEntries.AsNoTracking().Where(a => a.ChainSeq == last).Select(a => a.Hash).FirstAsync()}"
            : "(empty)";
        await output.WriteLineAsync(problems.Count == 0
            ? $"Audit chain intact: {report.Checked:N0} entries. Head {head}"
            : $"Audit chain BROKEN: {problems.Count} problem(s) in {report.Checked:N0} entries. Head {head}");
        return problems.Count == 0 ? 0 : 2;
    }
}
