using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Templates;

/// <summary>Custom attributes as the text a template sees (<c>attr.key</c>), loaded in bulk for many clients.</summary>
public static class ClientAttributeText
{
    /// <remarks>"G29": PostgreSQL returns numeric(18,4) as 1017.0000, SQLite as 1017; both print 1017.</remarks>
    public static string Format(string? text, decimal? number, DateTime? date, bool? boolean) =>
        text ?? number?.ToString("G29", CultureInfo.InvariantCulture) ?? date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        ?? (boolean is { } b ? (b ? "true" : "false") : "");

    /// <summary>Attributes of the clients in <paramref name="clientIds"/> by client, one query.</summary>
    public static async Task<Dictionary<long, Dictionary<string, string>>> LoadAsync(PortalDbContext db, IReadOnlyCollection<long> clientIds, CancellationToken ct)
    {
        var result = new Dictionary<long, Dictionary<string, string>>();
        if (clientIds.Count == 0) return result;
        var rows = await db.ClientAttributes.AsNoTracking()
            .Where(a => clientIds.Contains(a.ClientId))
            .Join(db.AttributeDefinitions, a => a.DefinitionId, d => d.Id, (a, d) => new { a.ClientId, d.Key, a.Text, a.Number, a.Date, a.Boolean })
            .ToListAsync(ct);
        foreach (var row in rows)
        {
            if (!result.TryGetValue(row.ClientId, out var attributes))
            {
                result[row.ClientId] = attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            }
            attributes[row.Key] = Format(row.Text, row.Number, row.Date, row.Boolean);
        }
        return result;
    }
}
