using Portal.Domain.Audit;

namespace Portal.Infrastructure.Audit;

/// <summary>
/// The audit page's filter, shared by the grid and the CSV export so the file holds exactly what
/// the page shows. Dates are whole UTC days, both ends included.
/// </summary>
public sealed record AuditFilter(DateOnly? From = null, DateOnly? To = null, string? User = null, string? Action = null)
{
    public IQueryable<AuditEntry> Apply(IQueryable<AuditEntry> query)
    {
        if (From is { } from)
        {
            var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            query = query.Where(e => e.At >= start);
        }
        if (To is { } to)
        {
            var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            query = query.Where(e => e.At < end);
        }
        if (!string.IsNullOrWhiteSpace(User))
        {
            var user = User.Trim();
            query = query.Where(e => e.UserName != null && e.UserName.Contains(user));
        }
        if (!string.IsNullOrEmpty(Action))
        {
            query = query.Where(e => e.Action == Action);
        }
        return query;
    }

    /// <summary>The filter as the export link's query string.</summary>
    public string ToQueryString()
    {
        var parts = new List<string>();
        if (From is { } f) parts.Add($"from={f:yyyy-MM-dd}");
        if (To is { } t) parts.Add($"to={t:yyyy-MM-dd}");
        if (!string.IsNullOrWhiteSpace(User)) parts.Add($"user={Uri.EscapeDataString(User)}");
        if (!string.IsNullOrEmpty(Action)) parts.Add($"action={Uri.EscapeDataString(Action)}");
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}
