using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Audit;

/// <summary>One entry that breaks the audit chain.</summary>
public sealed record AuditChainProblem(long Id, long? ChainSeq, string Reason);

/// <summary>The verdict on the audit chain.</summary>
/// <param name="Checked">Entries walked in chain order.</param>
/// <param name="FirstSeq">Where the chain starts: above 1 once retention has purged older entries.</param>
public sealed record AuditChainReport(long Checked, long? FirstSeq, long? LastSeq, IReadOnlyList<AuditChainProblem> Problems)
{
    public bool Intact => Problems.Count == 0;
}

/// <summary>
/// Recomputes the audit log's hash chain in .NET, independently of the database trigger that wrote
/// it, in keyset pages (never the whole table in memory). Detects a changed entry (its content no
/// longer gives its hash), a removed or reordered one (a gap in the sequence, or a link to a hash
/// that is not the previous entry's) and one inserted around the trigger (no chain position).
/// The first remaining entry's link is taken as the anchor when retention purged the older ones;
/// the purge itself is an entry in the chain (<c>audit.purged</c>) naming the last purged hash.
/// </summary>
public static class AuditChainVerifier
{
    private const int Page = 5_000;
    private const int MaxProblems = 1_000;

    public static async Task<AuditChainReport> VerifyAsync(PortalDbContext db, CancellationToken ct)
    {
        var problems = new List<AuditChainProblem>();
        var unsealed = await db.AuditEntries.AsNoTracking().Where(a => a.ChainSeq == null || a.Hash == null)
            .OrderBy(a => a.Id).Select(a => a.Id).Take(MaxProblems).ToListAsync(ct);
        problems.AddRange(unsealed.Select(id => new AuditChainProblem(id, null, "not in the chain (written around the database trigger)")));

        long checkedCount = 0;
        long? first = null, last = null;
        string? previousHash = null;
        while (problems.Count < MaxProblems)
        {
            var after = last ?? 0;
            var page = await db.AuditEntries.AsNoTracking()
                .Where(a => a.ChainSeq != null && a.ChainSeq > after)
                .OrderBy(a => a.ChainSeq)
                .Select(a => new { a.Id, a.ChainSeq, a.PrevHash, a.Hash, a.At, a.UserId, a.UserName, a.Action, a.EntityType, a.EntityId, a.Details })
                .Take(Page).ToListAsync(ct);
            if (page.Count == 0)
            {
                break;
            }
            foreach (var e in page)
            {
                var seq = e.ChainSeq!.Value;
                if (first is null)
                {
                    first = seq;
                }
                else if (seq != last + 1)
                {
                    problems.Add(new AuditChainProblem(e.Id, seq, $"entries {last + 1}..{seq - 1} of the chain are missing"));
                }
                if (previousHash is not null && e.PrevHash != previousHash)
                {
                    problems.Add(new AuditChainProblem(e.Id, seq, "does not link to the previous entry's hash"));
                }
                if (first == seq && seq == 1 && !string.IsNullOrEmpty(e.PrevHash))
                {
                    problems.Add(new AuditChainProblem(e.Id, seq, "the first entry links to a previous one"));
                }
                var expected = AuditChain.Hash(e.PrevHash ?? "", seq, e.Id, AuditChain.FormatAt(e.At), e.UserId, e.UserName, e.Action,
                    e.EntityType, e.EntityId, e.Details);
                if (!string.Equals(expected, e.Hash, StringComparison.Ordinal))
                {
                    problems.Add(new AuditChainProblem(e.Id, seq, "content does not match its hash (changed after it was written)"));
                }
                previousHash = e.Hash;
                last = seq;
                checkedCount++;
            }
        }
        return new AuditChainReport(checkedCount, first, last, problems);
    }
}
