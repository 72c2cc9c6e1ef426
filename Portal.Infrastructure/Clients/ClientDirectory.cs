using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Clients;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Clients;

/// <summary>One row of the clients grid, masked already when the reader may not see personal data.</summary>
public sealed record ClientRow(long Id, string? ExternalId, string Phone, string Name, string? RegionCode, string? City,
    ClientStatus Status, bool AdvertisingConsent, bool OptedOut, decimal TotalSpend, DateTime? LastPurchaseAt);

public enum ClientSort
{
    Id,
    LastName,
    TotalSpend,
    LastPurchaseAt,
    RegisteredAt,
}

/// <param name="SearchRefused">Issue 14: the search was not run because it could recover masked data (see <see cref="ClientDirectory.PageAsync"/>).</param>
public sealed record ClientPage(IReadOnlyList<ClientRow> Rows, int Total, bool SearchRefused = false);

/// <summary>
/// Finds clients for the grid over the whole base: server paging, index-backed search by phone
/// prefix, external id or last-name prefix. Counting 1.9 M rows on every page turn is the slow
/// part, so the unfiltered total is cached for half a minute.
/// </summary>
public sealed class ClientDirectory(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    private (int Count, DateTime At)? _total;

    /// <remarks>
    /// Issue 14, for a reader without personal data: a phone or last-name prefix search would recover
    /// masked digits and letters one query at a time (a Trainer found a full phone in 20 searches),
    /// so such a reader searches by an exact external id or a full, valid phone number only (the
    /// caller audits the latter), and cannot sort by last name (the order would leak the masked letters).
    /// </remarks>
    public async Task<ClientPage> PageAsync(string? search, ClientSort sort, bool descending, int page, int pageSize, bool seesPersonalData, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        // Issue 18: synthetic sandbox clients are not part of the real client base.
        var query = db.Clients.AsNoTracking().Where(c => c.SandboxOwnerId == null);
        var filtered = !string.IsNullOrWhiteSpace(search);
        if (!seesPersonalData && sort == ClientSort.LastName)
        {
            sort = ClientSort.Id;
        }
        if (filtered && !seesPersonalData)
        {
            var term = search!.Trim();
            if (await db.Clients.AnyAsync(c => c.ExternalId == term, ct))
            {
                query = query.Where(c => c.ExternalId == term);
            }
            else if (IsFullPhone(term) is { } phone)
            {
                query = query.Where(c => c.Phone == phone);
            }
            else
            {
                return new ClientPage([], 0, SearchRefused: true);
            }
        }
        else if (filtered)
        {
            var term = search!.Trim();
            // An exact external id wins; otherwise a name prefix. One condition per query (not an OR)
            // keeps each on its own index: with the OR, PostgreSQL walked the whole name index.
            var isExternalId = await db.Clients.AnyAsync(c => c.ExternalId == term, ct);
            query = isExternalId ? query.Where(c => c.ExternalId == term) : Filter(query, term);
        }
        query = (sort, descending) switch
        {
            (ClientSort.LastName, false) => query.OrderBy(c => c.LastName).ThenBy(c => c.Id),
            (ClientSort.LastName, true) => query.OrderByDescending(c => c.LastName).ThenByDescending(c => c.Id),
            (ClientSort.TotalSpend, false) => query.OrderBy(c => c.TotalSpend).ThenBy(c => c.Id),
            (ClientSort.TotalSpend, true) => query.OrderByDescending(c => c.TotalSpend).ThenByDescending(c => c.Id),
            (ClientSort.LastPurchaseAt, false) => query.OrderBy(c => c.LastPurchaseAt).ThenBy(c => c.Id),
            (ClientSort.LastPurchaseAt, true) => query.OrderByDescending(c => c.LastPurchaseAt).ThenByDescending(c => c.Id),
            (ClientSort.RegisteredAt, false) => query.OrderBy(c => c.RegisteredAt).ThenBy(c => c.Id),
            (ClientSort.RegisteredAt, true) => query.OrderByDescending(c => c.RegisteredAt).ThenByDescending(c => c.Id),
            (_, true) => query.OrderByDescending(c => c.Id),
            _ => query.OrderBy(c => c.Id),
        };
        var rows = await query.Skip(page * pageSize).Take(pageSize)
            .Select(c => new
            {
                c.Id, c.ExternalId, c.Phone, c.FirstName, c.LastName, c.RegionCode, c.City, c.Status,
                Advertising = c.AdvertisingConsent.Granted, c.OptedOutAt, c.TotalSpend, c.LastPurchaseAt,
            })
            .ToListAsync(ct);
        var total = filtered ? await query.CountAsync(ct) : await CachedTotalAsync(db, ct);
        return new ClientPage(rows.Select(r => new ClientRow(r.Id, r.ExternalId,
            seesPersonalData ? r.Phone : PersonalDataMask.Phone(r.Phone),
            seesPersonalData ? $"{r.LastName} {r.FirstName}".Trim() : $"{PersonalDataMask.Name(r.LastName)} {PersonalDataMask.Name(r.FirstName)}".Trim(),
            r.RegionCode, r.City, r.Status, r.Advertising, r.OptedOutAt is not null, r.TotalSpend, r.LastPurchaseAt)).ToList(), total);
    }

    /// <summary>The normalized number when <paramref name="search"/> is a whole, valid phone number (not a prefix).</summary>
    public static string? IsFullPhone(string search) =>
        search.Any(char.IsAsciiDigit) && search.All(ch => char.IsAsciiDigit(ch) || ch is '+' or ' ' or '-' or '(' or ')')
        && PhoneNumber.TryParse(search, out var number, out _) ? number.Value : null;

    /// <summary>
    /// Digits search phones by prefix (as a range, so the unique index serves it under any
    /// collation); anything else matches a last name by prefix.
    /// </summary>
    internal static IQueryable<Client> Filter(IQueryable<Client> query, string search)
    {
        var digits = new string(search.Where(char.IsAsciiDigit).ToArray());
        if (digits.Length >= 3 && search.All(ch => char.IsAsciiDigit(ch) || ch is '+' or ' ' or '-' or '(' or ')'))
        {
            if (digits.Length == 11 && digits[0] == '8')
            {
                digits = "7" + digits[1..];
            }
            else if (digits.Length == 10 && digits[0] == '9')
            {
                digits = "7" + digits;
            }
            var from = "+" + digits;
            var to = "+" + digits[..^1] + (char)(digits[^1] + 1);
            return query.Where(c => string.Compare(c.Phone, from) >= 0 && string.Compare(c.Phone, to) < 0);
        }
        var name = char.ToUpperInvariant(search[0]) + search[1..];
        var nameTo = name[..^1] + (char)(name[^1] + 1);
        return query.Where(c => string.Compare(c.LastName, name) >= 0 && string.Compare(c.LastName, nameTo) < 0);
    }

    private async Task<int> CachedTotalAsync(PortalDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_total is { } t && now - t.At < TimeSpan.FromSeconds(30))
        {
            return t.Count;
        }
        // Two counts that indexes answer: every row (an index-only scan of the smallest index) minus
        // the sandbox's (its partial index). "WHERE SandboxOwnerId IS NULL" read the whole table:
        // 288-419 ms against 71-112 ms at 1.9 M clients on PostgreSQL (docs/BENCHMARKS.md, issue 20).
        var count = await db.Clients.CountAsync(ct) - await db.Clients.CountAsync(c => c.SandboxOwnerId != null, ct);
        _total = (count, now);
        return count;
    }
}
