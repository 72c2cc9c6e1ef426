using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Alerts;
using Portal.Domain.Audit;
using Portal.Domain.Messages;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Alerts;

public sealed record AlertSummary(long Id, AlertKind Kind, AlertState State, string Text, string Code, int CurrentLevel, DateTime? NextEscalationAt,
    DateTime CreatedAt, string Initiator, int Recipients, int Acked, DateTime? FirstAckAt, DateTime? LastAckAt, string? Outcome);

public sealed record AlertRecipientRow(int EmployeeId, string Name, string Phone, int Level, MessageStatus? Status, DateTime? SentAt,
    DateTime? DeliveredAt, DateTime? AckedAt, DateTime SendAfter);

/// <summary>Reads for the alerts pages: a short history and one alert's recipients (masked unless allowed; unmasked reads audited).</summary>
public sealed class AlertQueries(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    public async Task<IReadOnlyList<AlertSummary>> RecentAsync(int take = 50, long? id = null, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var alerts = db.Alerts.AsNoTracking();
        if (id is { } one) alerts = alerts.Where(a => a.Id == one);
        var rows = await alerts.OrderByDescending(a => a.Id).Take(take)
            .Select(a => new
            {
                a,
                Recipients = db.AlertRecipients.Where(r => r.AlertId == a.Id).Select(r => r.EmployeeId).Distinct().Count(),
                Acked = db.AlertRecipients.Where(r => r.AlertId == a.Id && r.AckedAt != null).Select(r => r.EmployeeId).Distinct().Count(),
                First = db.AlertRecipients.Where(r => r.AlertId == a.Id).Min(r => r.AckedAt),
                Last = db.AlertRecipients.Where(r => r.AlertId == a.Id).Max(r => r.AckedAt),
            }).ToListAsync(ct);
        return rows.Select(r => new AlertSummary(r.a.Id, r.a.Kind, r.a.State, r.a.Text, r.a.Code, r.a.CurrentLevel, Utc(r.a.NextEscalationAt), Utc(r.a.CreatedAt)!.Value,
            r.a.Initiator, r.Recipients, r.Acked, Utc(r.First), Utc(r.Last), r.a.Outcome)).ToList();
    }

    public async Task<IReadOnlyList<AlertRecipientRow>> RecipientsAsync(long alertId, bool seesPersonalData, string user, CancellationToken ct = default, bool audit = true)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.AlertRecipients.AsNoTracking().Where(r => r.AlertId == alertId)
            .Join(db.Employees, r => r.EmployeeId, e => e.Id, (r, e) => new { r, e.FullName })
            .GroupJoin(db.Messages, x => x.r.MessageId, m => m.Id, (x, ms) => new { x.r, x.FullName, ms })
            .SelectMany(x => x.ms.DefaultIfEmpty(), (x, m) => new
            {
                x.r.EmployeeId, x.FullName, x.r.Phone, x.r.Level, Status = m == null ? (MessageStatus?)null : m.Status,
                SentAt = m == null ? null : m.SubmittedAt, DoneAt = m == null ? null : m.DoneAt, x.r.AckedAt, x.r.SendAfter,
            })
            .OrderBy(x => x.Level).ThenBy(x => x.FullName).ToListAsync(ct);
        if (seesPersonalData && audit && rows.Count > 0)
        {
            db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, null, user, AuditActions.PersonalDataRead, nameof(Alert),
                alertId.ToString(CultureInfo.InvariantCulture), $"alert recipients; rows={rows.Count}"));
            await db.SaveChangesAsync(ct);
        }
        return rows.Select(x => new AlertRecipientRow(x.EmployeeId,
            seesPersonalData ? x.FullName : PersonalDataMask.Name(x.FullName), seesPersonalData ? x.Phone : PersonalDataMask.Phone(x.Phone),
            x.Level, x.Status, Utc(x.SentAt), x.Status == MessageStatus.Delivered ? Utc(x.DoneAt) : null, Utc(x.AckedAt), Utc(x.SendAfter)!.Value)).ToList();
    }

    private static DateTime? Utc(DateTime? t) => t is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;
}
