using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Alerts;
using Portal.Domain.Audit;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Messages;
using Portal.Domain.Staff;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;

namespace Portal.Infrastructure.Alerts;

/// <summary>What to raise: a text, and groups/people or an escalation chain.</summary>
public sealed record AlertRequest(AlertKind Kind, string Text, IReadOnlyList<int> GroupIds, IReadOnlyList<int> EmployeeIds, int? ChainId,
    RequiredAcks Required = RequiredAcks.One, int RequiredCount = 1, bool Flash = false);

public sealed record RaiseResult(long AlertId, bool Replayed, int Recipients);

/// <summary>
/// Raises, confirms and escalates employee alerts (issue 17, ADR 0014). Every SMS is a
/// non-campaign <see cref="Message"/> with a <see cref="PriorityMessage"/> (source Alarm) and goes
/// through the ONE priority lane of ADR 0010 (<see cref="PrioritySender"/>, its queue, its gate):
/// nothing here talks to a provider. Rows are committed before the lane is told, so a lost bus
/// message is re-published by the priority sweep. Escalation state is in the Alerts table and
/// each step is claimed with <c>UPDATE ... WHERE Version = v</c>: several nodes may run the loop.
/// </summary>
public sealed class AlertService(
    IDbContextFactory<PortalDbContext> contexts,
    IMessageBus bus,
    TimeProvider clock,
    IOptions<AlertsOptions> options,
    IOptions<SendingOptions> sending,
    ILogger<AlertService> logger)
{
    /// <summary>
    /// Messages need a client row (Messages.ClientId is required and keyed); employees are not
    /// clients, so every alert SMS hangs off this one reserved, never-dialled placeholder. The real
    /// number is on the message and on the recipient row.
    /// </summary>
    public const string StaffClientExternalId = "portal:staff-alerts";
    private const string StaffClientPhone = "+000000000017";

    private long _staffClientId;

    public async Task<RaiseResult> RaiseAsync(AlertRequest request, string initiator, int? apiKeyId = null, string? idempotencyKey = null, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (apiKeyId is { } key && idempotencyKey is not null
            && await db.Alerts.AsNoTracking().Where(a => a.ApiKeyId == key && a.IdempotencyKey == idempotencyKey).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct) is { } existing)
        {
            return new RaiseResult(existing, true, 0);
        }

        EscalationChain? chain = null;
        IReadOnlyList<int> groups = request.GroupIds, people = request.EmployeeIds, rosters = [];
        if (request.ChainId is { } chainId)
        {
            chain = await db.EscalationChains.AsNoTracking().Include(c => c.Levels).FirstOrDefaultAsync(c => c.Id == chainId, ct)
                ?? throw new DomainException("There is no such escalation chain.");
            var first = chain.Levels.OrderBy(l => l.Number).FirstOrDefault() ?? throw new DomainException("The chain has no levels.");
            groups = first.Groups;
            people = first.Employees;
            rosters = first.Rosters;
        }
        var targets = await ResolveAsync(db, groups, people, rosters, now, ct);
        if (targets.Count == 0) throw new DomainException("Nobody active is in the chosen groups.");

        var staffClient = await StaffClientIdAsync(db, ct);
        var openCodes = await db.Alerts.AsNoTracking().Where(a => a.State == AlertState.Open).Select(a => a.Code).ToListAsync(ct);
        var alert = new Alert(request.Kind, request.Text, NewCode(openCodes), request.Required, request.RequiredCount, chain?.Id,
            string.Join(' ', request.GroupIds.Distinct()), initiator, now);
        if (apiKeyId is { } k) alert.FromApi(k, idempotencyKey);
        alert.Flash = request.Flash && request.Kind == AlertKind.Alarm;
        if (request.Kind == AlertKind.Alarm && chain is not null)
        {
            alert.ScheduleEscalation(now + chain.Levels.OrderBy(l => l.Number).First().WaitAfterSend(0));
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Alerts.Add(alert);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (idempotencyKey is not null && e.IsUniqueViolation())
        {
            // A concurrent retry with the same key committed first (the unique index waited for it).
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            var id = await db.Alerts.AsNoTracking().Where(a => a.ApiKeyId == apiKeyId && a.IdempotencyKey == idempotencyKey).Select(a => a.Id).FirstAsync(ct);
            return new RaiseResult(id, true, 0);
        }
        var recipients = targets.Select(t => new AlertRecipient(alert.Id, t.Id, 1, t.Phone,
            request.Kind == AlertKind.Alarm ? now : QuietUntil(t.TimeZone, now) ?? now, t.GroupId)).ToList();
        db.AlertRecipients.AddRange(recipients);
        var messageIds = await AddMessagesAsync(db, alert, recipients.Where(r => r.SendAfter <= now).ToList(), staffClient, now, ct);
        db.AuditEntries.Add(new AuditEntry(now, null, initiator, AuditActions.AlertRaised, nameof(Alert), alert.Id.ToString(CultureInfo.InvariantCulture),
            $"kind={alert.Kind}; recipients={recipients.Count}; deferred={recipients.Count(r => r.SendAfter > now)}; chain={alert.ChainId}"));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await PublishAsync(messageIds, ct);
        return new RaiseResult(alert.Id, false, recipients.Count);
    }

    /// <summary>
    /// Called by the inbound processor inside its transaction for every stored SMS: a reply from an
    /// alerted number with an open alert's code, or "1"/"ok" when that number has exactly one open
    /// alert, confirms it. Returns the alert confirmed, if any.
    /// </summary>
    public static async Task<long?> AcknowledgeAsync(PortalDbContext db, string from, string? text, DateTime at, long? inboundId, CancellationToken ct)
    {
        var open = await db.AlertRecipients
            .Where(r => r.Phone == from && r.AckedAt == null)
            .Join(db.Alerts.Where(a => a.State == AlertState.Open), r => r.AlertId, a => a.Id, (r, a) => new { r.AlertId, a.Code })
            .Distinct().ToListAsync(ct);
        if (open.Count == 0) return null;
        var words = (text ?? "").Split([' ', ',', '.', '!', '\n', '\r', '\t', '#'], StringSplitOptions.RemoveEmptyEntries);
        var byCode = open.Where(o => words.Contains(o.Code, StringComparer.Ordinal)).Select(o => o.AlertId).Distinct().ToList();
        long alertId;
        if (byCode.Count == 1) alertId = byCode[0];
        else if (byCode.Count == 0 && open.Select(o => o.AlertId).Distinct().Count() == 1 && words.Length == 1 && IsPlainYes(words[0])) alertId = open[0].AlertId;
        else return null; // ambiguous: several open alerts and no code, or not a confirmation at all

        var rows = await db.AlertRecipients.Where(r => r.AlertId == alertId && r.Phone == from && r.AckedAt == null).ToListAsync(ct);
        foreach (var row in rows) row.Acknowledge(at, inboundId);
        await db.SaveChangesAsync(ct);
        var alert = await db.Alerts.FirstAsync(a => a.Id == alertId, ct);
        db.AuditEntries.Add(new AuditEntry(at, null, "system", AuditActions.AlertAcknowledged, nameof(Alert), alertId.ToString(CultureInfo.InvariantCulture),
            $"inbound={inboundId}"));
        if (await IsSatisfiedAsync(db, alert, ct)) alert.Close(AlertState.Acknowledged, "acknowledged", at);
        await db.SaveChangesAsync(ct);
        return alertId;
    }

    /// <summary>
    /// Enough confirmations? Without a chain: the alert's own rule over everyone alerted. With a
    /// chain: any level reached so far whose own rule (one, all or N per group) is met by the people
    /// of that level; a person confirms once for the whole alert, whichever SMS they answer.
    /// </summary>
    internal static async Task<bool> IsSatisfiedAsync(PortalDbContext db, Alert alert, CancellationToken ct)
    {
        var rows = await db.AlertRecipients.AsNoTracking().Where(r => r.AlertId == alert.Id)
            .Select(r => new { r.Level, r.EmployeeId, r.GroupId, Acked = r.AckedAt != null }).ToListAsync(ct);
        var acked = rows.Where(r => r.Acked).Select(r => r.EmployeeId).ToHashSet();
        IEnumerable<AckVote> Votes(int? level) => rows.Where(r => level is null || r.Level == level)
            .Select(r => new AckVote(r.EmployeeId, r.GroupId, acked.Contains(r.EmployeeId)));
        if (alert.ChainId is not { } chainId) return AckRule.IsSatisfied(alert.Required, alert.RequiredCount, Votes(null));
        var levels = await db.EscalationLevels.AsNoTracking().Where(l => l.ChainId == chainId && l.Number <= alert.CurrentLevel)
            .OrderBy(l => l.Number).ToListAsync(ct);
        return levels.Any(l => AckRule.IsSatisfied(l.Required, l.RequiredCount, Votes(l.Number)));
    }

    private static bool IsPlainYes(string word) =>
        word is "1" or "+" || word.Equals("ok", StringComparison.OrdinalIgnoreCase) || word.Equals("да", StringComparison.OrdinalIgnoreCase)
        || word.Equals("yes", StringComparison.OrdinalIgnoreCase);

    public async Task CloseAsync(long alertId, string user, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var alert = await db.Alerts.FirstOrDefaultAsync(a => a.Id == alertId, ct) ?? throw new DomainException("There is no such alert.");
        if (alert.State != AlertState.Open) return;
        alert.Close(AlertState.Closed, "closed by hand", now);
        db.AuditEntries.Add(new AuditEntry(now, null, user, AuditActions.AlertClosed, nameof(Alert), alertId.ToString(CultureInfo.InvariantCulture)));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>One pass of the loop: escalations due and deferred recipients due. Returns the steps taken.</summary>
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var steps = 0;
        List<(long Id, int Version)> due;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            due = (await db.Alerts.AsNoTracking().Where(a => a.State == AlertState.Open && a.NextEscalationAt != null && a.NextEscalationAt <= now)
                .OrderBy(a => a.NextEscalationAt).Take(100).Select(a => new { a.Id, a.Version }).ToListAsync(ct))
                .Select(a => (a.Id, a.Version)).ToList();
            var deferred = await db.AlertRecipients.AsNoTracking().Where(r => r.MessageId == null && r.SendAfter <= now)
                .Join(db.Alerts.Where(a => a.State == AlertState.Open), r => r.AlertId, a => a.Id, (r, a) => new { a.Id, a.Version })
                .Distinct().OrderBy(a => a.Id).Take(100).ToListAsync(ct);
            due.AddRange(deferred.Select(a => (a.Id, a.Version)).Where(d => !due.Any(x => x.Id == d.Id)));
        }
        foreach (var (id, version) in due)
        {
            try
            {
                if (await StepAsync(id, version, now, ct)) steps++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Alert {AlertId}: escalation step failed, retried next pass: {Error}", id, e.Message);
            }
        }
        return steps;
    }

    /// <summary>Claims the alert at <paramref name="version"/> and takes its due step; false when another node had it.</summary>
    private async Task<bool> StepAsync(long alertId, int version, DateTime now, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The claim: of several nodes seeing the same due alert, one moves the version on; PostgreSQL
        // makes the others wait on the row lock and then match nothing.
        var claimed = await db.Alerts.Where(a => a.Id == alertId && a.Version == version && a.State == AlertState.Open)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Version, a => a.Version + 1), ct);
        if (claimed == 0) return false;
        var alert = await db.Alerts.FirstAsync(a => a.Id == alertId, ct);
        var staffClient = await StaffClientIdAsync(db, ct);
        var messageIds = new List<long>();
        bool? exhausted = null;

        // Deferred (quiet hours) recipients whose time came.
        var dueRecipients = await db.AlertRecipients.Where(r => r.AlertId == alertId && r.MessageId == null && r.SendAfter <= now).ToListAsync(ct);
        messageIds.AddRange(await AddMessagesAsync(db, alert, dueRecipients, staffClient, now, ct));

        if (alert.NextEscalationAt is { } deadline && deadline <= now)
        {
            var levels = alert.ChainId is { } chainId
                ? await db.EscalationLevels.AsNoTracking().Where(l => l.ChainId == chainId).OrderBy(l => l.Number).ToListAsync(ct)
                : [];
            var current = levels.FirstOrDefault(l => l.Number == alert.CurrentLevel);
            var next = levels.FirstOrDefault(l => l.Number > alert.CurrentLevel);
            if (await IsSatisfiedAsync(db, alert, ct))
            {
                alert.Close(AlertState.Acknowledged, "acknowledged", now);
            }
            else if (current is not null && alert.Repeats < current.Repeats)
            {
                // The level's repeat: the same SMS again to this level's people who have not confirmed.
                var ackedPeople = await db.AlertRecipients.Where(r => r.AlertId == alertId && r.AckedAt != null).Select(r => r.EmployeeId).Distinct().ToListAsync(ct);
                var previous = await db.AlertRecipients.AsNoTracking().Where(r => r.AlertId == alertId && r.Level == current.Number && r.Round == 0)
                    .OrderBy(r => r.Id).ToListAsync(ct);
                var round = alert.Repeats + 1;
                var again = previous.Where(r => !ackedPeople.Contains(r.EmployeeId) && r.MessageId != null)
                    .Select(r => new AlertRecipient(alertId, r.EmployeeId, r.Level, r.Phone, now, r.GroupId, round)).ToList();
                alert.Repeat(now + current.WaitAfterSend(round));
                db.AlertRecipients.AddRange(again);
                await db.SaveChangesAsync(ct);
                messageIds.AddRange(await AddMessagesAsync(db, alert, again, staffClient, now, ct));
                db.AuditEntries.Add(new AuditEntry(now, null, "system", AuditActions.AlertEscalated, nameof(Alert),
                    alertId.ToString(CultureInfo.InvariantCulture), $"level={current.Number}; repeat={round}; recipients={again.Count}"));
            }
            else if (next is null)
            {
                // End of the chain: the alert stops and the initiator is told (status on the alert page, audit trail).
                var counts = await db.AlertRecipients.Where(r => r.AlertId == alertId)
                    .GroupBy(r => r.EmployeeId).Select(g => g.Max(r => r.AckedAt != null ? 1 : 0)).ToListAsync(ct);
                alert.Close(AlertState.Exhausted, "chain exhausted without enough confirmations", now);
                exhausted = true;
                db.AuditEntries.Add(new AuditEntry(now, null, alert.Initiator, AuditActions.AlertExhausted, nameof(Alert),
                    alertId.ToString(CultureInfo.InvariantCulture), $"level={alert.CurrentLevel}; acked={counts.Sum()}/{counts.Count}"));
            }
            else
            {
                var targets = await ResolveAsync(db, next.Groups, next.Employees, next.Rosters, now, ct);
                alert.MoveToLevel(next.Number, now + next.WaitAfterSend(0));
                exhausted = false;
                var recipients = targets.Select(t => new AlertRecipient(alertId, t.Id, next.Number, t.Phone, now, t.GroupId)).ToList();
                db.AlertRecipients.AddRange(recipients);
                await db.SaveChangesAsync(ct);
                messageIds.AddRange(await AddMessagesAsync(db, alert, recipients, staffClient, now, ct));
                db.AuditEntries.Add(new AuditEntry(now, null, "system", AuditActions.AlertEscalated, nameof(Alert),
                    alertId.ToString(CultureInfo.InvariantCulture), $"level={next.Number}; recipients={recipients.Count}"));
            }
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (exhausted is { } end) Telemetry.PortalMetrics.RecordAlertEscalation(end);
        await PublishAsync(messageIds, ct);
        return true;
    }

    private sealed record Target(int Id, string Phone, string? TimeZone, int? GroupId);

    /// <summary>
    /// Active employees in the groups (static members or by rule) plus the people named and those on
    /// duty in the rosters at <paramref name="now"/>, each once,
    /// with the first of <paramref name="groupIds"/> (in order) that holds them: confirmations are
    /// counted per group; people named and in no group listed count as their own group (null).
    /// </summary>
    private static async Task<List<Target>> ResolveAsync(PortalDbContext db, IReadOnlyList<int> groupIds, IReadOnlyList<int> named, IReadOnlyList<int> rosterIds,
        DateTime now, CancellationToken ct)
    {
        // "Whoever is on duty": each roster's person at this moment joins the people named.
        var employeeIds = named.ToList();
        if (rosterIds.Count > 0)
        {
            var rosters = await db.OnCallRosters.AsNoTracking().Where(r => rosterIds.Contains(r.Id)).ToListAsync(ct);
            employeeIds.AddRange(rosters.Select(r => r.OnDutyAt(now)).OfType<int>());
        }
        var groups = await db.EmployeeGroups.AsNoTracking().Where(g => groupIds.Contains(g.Id)).ToListAsync(ct);
        groups = groups.OrderBy(g => IndexOf(groupIds, g.Id)).ToList();
        var staticIds = groups.Where(g => g.Rule == GroupRule.Static).Select(g => g.Id).ToList();
        var departments = groups.Where(g => g.Rule == GroupRule.Department).Select(g => g.RuleValue).ToList();
        var locations = groups.Where(g => g.Rule == GroupRule.Location).Select(g => g.RuleValue).ToList();
        var positions = groups.Where(g => g.Rule == GroupRule.Position).Select(g => g.RuleValue).ToList();
        var memberships = await db.EmployeeGroupMembers.AsNoTracking().Where(m => staticIds.Contains(m.GroupId)).Select(m => new { m.GroupId, m.EmployeeId }).ToListAsync(ct);
        var members = memberships.Select(m => m.EmployeeId).Distinct().ToList();
        var rows = await db.Employees.AsNoTracking()
            .Where(e => e.Active && (employeeIds.Contains(e.Id) || members.Contains(e.Id)
                || departments.Contains(e.Department) || locations.Contains(e.Location) || positions.Contains(e.Position)))
            .OrderBy(e => e.Id)
            .Select(e => new { e.Id, e.Phone, e.TimeZone, e.Department, e.Location, e.Position })
            .ToListAsync(ct);
        var staticOf = memberships.ToLookup(m => m.EmployeeId, m => m.GroupId);
        return rows.Select(e => new Target(e.Id, e.Phone, e.TimeZone, groups.FirstOrDefault(g => g.Rule switch
        {
            GroupRule.Static => staticOf[e.Id].Contains(g.Id),
            GroupRule.Department => g.RuleValue == e.Department,
            GroupRule.Location => g.RuleValue == e.Location,
            GroupRule.Position => g.RuleValue == e.Position,
            _ => false,
        })?.Id)).ToList();
    }

    private static int IndexOf(IReadOnlyList<int> list, int value)
    {
        for (var i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return int.MaxValue;
    }

    /// <summary>Adds the Message and PriorityMessage rows for these recipients (saved, ids set on the recipients); returns the message ids.</summary>
    private async Task<List<long>> AddMessagesAsync(PortalDbContext db, Alert alert, List<AlertRecipient> recipients, long staffClient, DateTime now, CancellationToken ct)
    {
        if (recipients.Count == 0) return [];
        var o = options.Value;
        var text = alert.Text + string.Format(CultureInfo.InvariantCulture, o.ConfirmHint, alert.Code);
        var messages = recipients.Select(r => new Message(null, staffClient, r.Phone, now) { Status = MessageStatus.Queued }).ToList();
        db.Messages.AddRange(messages);
        await db.SaveChangesAsync(ct);
        for (var i = 0; i < recipients.Count; i++)
        {
            recipients[i].MessageId = messages[i].Id;
            db.PriorityMessages.Add(new PriorityMessage(messages[i].Id, PrioritySource.Alarm, null, text, o.SenderId, null,
                MessagePurpose.Service, now + o.Validity, null, now) { Flash = alert.Flash });
        }
        await db.SaveChangesAsync(ct);
        return messages.Select(m => m.Id).ToList();
    }

    private async Task PublishAsync(List<long> ids, CancellationToken ct)
    {
        try
        {
            foreach (var part in ids.Chunk(1000)) await bus.PublishAsync(sending.Value.PriorityQueue, new PriorityBatch(part), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Committed rows: the priority sweep publishes them again shortly.
            logger.LogWarning("Publishing {Count} alert messages failed, the priority sweep will retry: {Error}", ids.Count, e.Message);
        }
    }

    /// <summary>Null when an informational alert may go now; else when quiet hours end for this employee.</summary>
    private DateTime? QuietUntil(string? timeZone, DateTime utcNow)
    {
        var o = options.Value;
        if (o.QuietFromMinute == o.QuietToMinute) return null;
        var zone = QuietHours.Zone(timeZone);
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utcNow, DateTimeKind.Utc), zone);
        var minute = local.Hour * 60 + local.Minute;
        var quiet = o.QuietFromMinute < o.QuietToMinute
            ? minute >= o.QuietFromMinute && minute < o.QuietToMinute
            : minute >= o.QuietFromMinute || minute < o.QuietToMinute;
        if (!quiet) return null;
        var end = local.Date.AddMinutes(o.QuietToMinute);
        if (end <= local) end = end.AddDays(1);
        while (zone.IsInvalidTime(end)) end = end.AddMinutes(1);
        return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(end, DateTimeKind.Unspecified), zone);
    }

    /// <summary>
    /// The placeholder client's id, created on first use. It is kept Inactive, so a campaign to
    /// "everyone" never dials its reserved number (found by the HTTP flash test: a service campaign
    /// sent it an SMS); the priority lane does not check the client of Alarm-source messages.
    /// A placeholder created active by an older version is deactivated here, once per process.
    /// </summary>
    private async Task<long> StaffClientIdAsync(PortalDbContext db, CancellationToken ct)
    {
        if (_staffClientId != 0) return _staffClientId;
        var now = clock.GetUtcNow().UtcDateTime;
        await using var own = await contexts.CreateDbContextAsync(ct);
        var client = await own.Clients.FirstOrDefaultAsync(c => c.ExternalId == StaffClientExternalId, ct);
        if (client is null)
        {
            client = new Client(PhoneNumber.FromTrusted(StaffClientPhone), "Staff alerts", "(system)", now)
            {
                ExternalId = StaffClientExternalId,
            };
            client.Deactivate(now);
            own.Clients.Add(client);
            try
            {
                await own.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation())
            {
                client = null;
            }
        }
        else if (client.Status == ClientStatus.Active)
        {
            client.Deactivate(now);
            await own.SaveChangesAsync(ct);
        }
        var id = client?.Id ?? await db.Clients.AsNoTracking().Where(c => c.ExternalId == StaffClientExternalId).Select(c => c.Id).FirstAsync(ct);
        _staffClientId = id;
        return id;
    }

    private static string NewCode(IReadOnlyCollection<string> taken)
    {
        for (var i = 0; i < 100; i++)
        {
            var code = RandomNumberGenerator.GetInt32(1000, 10000).ToString(CultureInfo.InvariantCulture);
            if (!taken.Contains(code)) return code;
        }
        return RandomNumberGenerator.GetInt32(10000, 100000).ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>Each node's escalation loop: the database says what is due, the claim says who does it.</summary>
public sealed class AlertEscalationService(AlertService alerts, IOptions<AlertsOptions> options, ILogger<AlertEscalationService> logger)
    : Microsoft.Extensions.Hosting.BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await alerts.RunDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Alert escalation pass failed: {Error}", e.Message);
            }
        }
    }
}
