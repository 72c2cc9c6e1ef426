using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Providers;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Providers;

public enum PriceImportMode
{
    /// <summary>The file becomes the whole price list of the provider.</summary>
    Replace = 1,
    /// <summary>Entries of the file replace those for the same destination and start date; others stay.</summary>
    Merge = 2,
}

/// <summary>A refused line: its number in the file (the header is line 1) and why.</summary>
public sealed record PriceImportError(int Line, string Reason);

public sealed record PriceImportResult(int Imported, IReadOnlyList<PriceImportError> Errors)
{
    public bool Applied => Errors.Count == 0;
}

/// <summary>
/// Reads a price list from CSV: <c>destination,price,currency[,valid_from]</c> where destination is
/// an operator (MTS, MegaFon, Beeline, T2 or Tele2, Other) or a number prefix (digits, '+' allowed).
/// ';' separated files with decimal commas (Excel in a Russian locale) are read too. All or
/// nothing: one bad line refuses the file and every bad line is listed with its reason.
/// </summary>
public sealed class PriceListImport(IDbContextFactory<PortalDbContext> contexts, AuditLog audit, TimeProvider clock, ProviderRegistryVersion version)
{
    public const int MaxLines = 100_000;

    public async Task<PriceImportResult> ImportAsync(ClaimsPrincipal actor, int providerId, TextReader csv, PriceImportMode mode, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (entries, errors) = await ParseAsync(providerId, csv, now, ct);
        if (errors.Count > 0) return new PriceImportResult(0, errors);

        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await db.Providers.AnyAsync(p => p.Id == providerId, ct)) throw new DomainException("This provider no longer exists.");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (mode == PriceImportMode.Replace)
        {
            await db.PriceListEntries.Where(e => e.ProviderId == providerId).ExecuteDeleteAsync(ct);
        }
        else
        {
            var existing = await db.PriceListEntries.Where(e => e.ProviderId == providerId).ToListAsync(ct);
            var incoming = entries.Select(Key).ToHashSet();
            db.PriceListEntries.RemoveRange(existing.Where(e => incoming.Contains(Key(e))));
        }
        db.PriceListEntries.AddRange(entries);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        version.Bump();
        await audit.WriteAsync(actor, AuditActions.PriceListImported, nameof(SmsProvider), providerId.ToString(CultureInfo.InvariantCulture),
            $"mode={mode}; entries={entries.Count}", ct);
        return new PriceImportResult(entries.Count, []);
    }

    private static (string?, string?, DateTime) Key(PriceListEntry e) => (e.Operator, e.Prefix, e.ValidFrom);

    internal static async Task<(List<PriceListEntry> Entries, List<PriceImportError> Errors)> ParseAsync(int providerId, TextReader csv, DateTime now, CancellationToken ct)
    {
        var entries = new List<PriceListEntry>();
        var errors = new List<PriceImportError>();
        var header = await csv.ReadLineAsync(ct);
        if (header is null || string.IsNullOrWhiteSpace(header))
        {
            errors.Add(new PriceImportError(1, "The file is empty: the first line must be the header destination,price,currency[,valid_from]."));
            return (entries, errors);
        }
        var separator = header.Contains(';') ? ';' : ',';
        var columns = header.TrimStart('\uFEFF').Split(separator).Select(c => c.Trim().ToLowerInvariant()).ToArray();
        int Col(string name) => Array.IndexOf(columns, name);
        int dest = Col("destination"), price = Col("price"), currency = Col("currency"), from = Col("valid_from");
        if (dest < 0 || price < 0 || currency < 0)
        {
            errors.Add(new PriceImportError(1, "The header must name the columns destination, price and currency (valid_from is optional)."));
            return (entries, errors);
        }
        var seen = new Dictionary<(string?, string?, DateTime), int>();
        var line = 1;
        while (await csv.ReadLineAsync(ct) is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            if (line > MaxLines + 1)
            {
                errors.Add(new PriceImportError(line, $"Too many lines: at most {MaxLines} prices per file."));
                break;
            }
            var cells = text.Split(separator).Select(c => c.Trim().Trim('"')).ToArray();
            if (cells.Length != columns.Length)
            {
                errors.Add(new PriceImportError(line, $"Expected {columns.Length} values, found {cells.Length}."));
                continue;
            }
            var destination = cells[dest];
            string? op = null, prefix = null;
            if (destination.TrimStart('+').Length > 0 && destination.TrimStart('+').All(char.IsAsciiDigit)) prefix = destination.TrimStart('+');
            else if (OperatorOf(destination) is { } known) op = known;
            else
            {
                errors.Add(new PriceImportError(line, $"Unknown destination '{destination}': use an operator ({string.Join(", ", MobileOperators.All)}) or a number prefix."));
                continue;
            }
            var priceText = separator == ';' ? cells[price].Replace(',', '.') : cells[price];
            if (!decimal.TryParse(priceText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                errors.Add(new PriceImportError(line, $"The price '{cells[price]}' is not a number such as 0.29."));
                continue;
            }
            var validFrom = now;
            if (from >= 0 && cells[from].Length > 0 && !DateTime.TryParse(cells[from], CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out validFrom))
            {
                errors.Add(new PriceImportError(line, $"The date '{cells[from]}' is not a date such as 2026-12-01."));
                continue;
            }
            try
            {
                var entry = new PriceListEntry(providerId, op, prefix, value, cells[currency].ToUpperInvariant(), validFrom);
                if (seen.TryGetValue(Key(entry), out var first))
                {
                    errors.Add(new PriceImportError(line, $"{entry.Destination} is already priced on line {first}."));
                    continue;
                }
                seen[Key(entry)] = line;
                entries.Add(entry);
            }
            catch (DomainException e)
            {
                errors.Add(new PriceImportError(line, e.Message));
            }
        }
        if (entries.Count == 0 && errors.Count == 0) errors.Add(new PriceImportError(2, "The file has no prices."));
        return (entries, errors);
    }

    private static string? OperatorOf(string text) =>
        string.Equals(text, "Tele2", StringComparison.OrdinalIgnoreCase) ? MobileOperators.T2
        : MobileOperators.All.FirstOrDefault(o => string.Equals(o, text, StringComparison.OrdinalIgnoreCase));
}
