using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Staff;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Alerts;

public sealed record EmployeeInput(string FullName, string Phone, string? Email, string? Department, string? Position, string? Location,
    string? TimeZone, bool Active = true);

public sealed record EmployeeRow(int Id, string FullName, string Phone, string? Email, string? Department, string? Position, string? Location,
    string? TimeZone, bool Active);

public sealed record ImportResult(int Added, int Updated, IReadOnlyList<string> Errors);

/// <summary>An employee row from a file or a sync source, as text cells (null: column absent or empty).</summary>
public sealed record EmployeeCells(string? Name, string? Phone, string? Email, string? Department, string? Position, string? Location,
    string? TimeZone, string? Active)
{
    public static readonly EmployeeCells Empty = new(null, null, null, null, null, null, null, null);

    /// <summary>Cells trimmed, blanks as null.</summary>
    public EmployeeCells Trimmed()
    {
        static string? T(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
        return new(T(Name), T(Phone), T(Email), T(Department), T(Position), T(Location), T(TimeZone), T(Active));
    }
}

public sealed record EmployeeApplyResult(int Added, int Updated, int Rejected, IReadOnlyList<string> Errors);

public sealed record GroupRow(int Id, string Name, GroupRule Rule, string? RuleValue, int Members);

/// <summary>One level as the chain editor edits it (times in seconds; <paramref name="RepeatIntervalSeconds"/> 0: the timeout).</summary>
public sealed record LevelInput(IReadOnlyList<int> People, IReadOnlyList<int> Groups, int TimeoutSeconds,
    Portal.Domain.Alerts.RequiredAcks Required = Portal.Domain.Alerts.RequiredAcks.One, int RequiredCount = 1, int Repeats = 0, int RepeatIntervalSeconds = 0,
    IReadOnlyList<int>? Rosters = null);

/// <summary>A roster as its editor edits it; <paramref name="OnDutyNow"/> is filled when read.</summary>
public sealed record RosterInput(string Name, string TimeZone, int HandoverMinute, int ShiftDays, DateOnly StartDate, IReadOnlyList<int> Members);

public sealed record RosterRow(int Id, RosterInput Roster, int? OnDutyNow, DateTime NextHandover);

public sealed record ChainDetail(int Id, string Name, IReadOnlyList<LevelInput> Levels);

/// <summary>
/// The staff directory (issue 17): employees, groups and escalation chains, apart from clients.
/// Every change is audited (who, which record; never the name or number). Names, phones and
/// e-mails are masked for roles without the personal-data permission; an unmasked list is an
/// audited read, as for clients. A company's staff is thousands of rows, not millions, so lists
/// and imports work in memory.
/// </summary>
public sealed class StaffDirectory(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    public async Task<IReadOnlyList<EmployeeRow>> EmployeesAsync(bool seesPersonalData, string user, string? search = null, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Employees.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var s = search.Trim();
            query = query.Where(e => e.FullName.Contains(s) || e.Phone.Contains(s) || (e.Department != null && e.Department.Contains(s)));
        }
        var rows = await query.OrderBy(e => e.FullName).Take(2000).ToListAsync(ct);
        if (seesPersonalData && rows.Count > 0)
        {
            db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, null, user, AuditActions.PersonalDataRead, nameof(Employee), null,
                $"staff directory list; rows={rows.Count}"));
            await db.SaveChangesAsync(ct);
        }
        return rows.Select(e => seesPersonalData
            ? new EmployeeRow(e.Id, e.FullName, e.Phone, e.Email, e.Department, e.Position, e.Location, e.TimeZone, e.Active)
            : new EmployeeRow(e.Id, PersonalDataMask.Name(e.FullName), PersonalDataMask.Phone(e.Phone), e.Email is null ? null : PersonalDataMask.Name(e.Email),
                e.Department, e.Position, e.Location, e.TimeZone, e.Active)).ToList();
    }

    public async Task<int> SaveEmployeeAsync(int? id, EmployeeInput input, string user, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var phone = ParsePhone(input.Phone);
        await using var db = await contexts.CreateDbContextAsync(ct);
        Employee employee;
        if (id is { } existing)
        {
            employee = await db.Employees.FirstOrDefaultAsync(e => e.Id == existing, ct) ?? throw new DomainException("There is no such employee.");
        }
        else
        {
            employee = new Employee(input.FullName, phone, now);
            db.Employees.Add(employee);
        }
        employee.Update(input.FullName, phone, input.Email, input.Department, input.Position, input.Location, input.TimeZone, input.Active, now);
        await db.SaveChangesAsync(ct);
        db.AuditEntries.Add(new AuditEntry(now, null, user, AuditActions.EmployeeSaved, nameof(Employee), employee.Id.ToString(CultureInfo.InvariantCulture),
            id is null ? "added" : "changed"));
        await db.SaveChangesAsync(ct);
        return employee.Id;
    }

    /// <summary>
    /// CSV or XLSX with a header row: name, phone, email, department, position, location, timezone,
    /// active (name and phone required; CSV delimiter and encoding detected as for client imports).
    /// Rows are matched on the phone: known numbers are updated, new ones added. All or nothing:
    /// every row is checked first, and one bad row (reported with its row number, header = 1)
    /// applies none, so a file is never half-imported.
    /// </summary>
    public async Task<ImportResult> ImportAsync(string path, string fileName, string user, CancellationToken ct = default)
    {
        TabularFile file;
        try
        {
            file = TabularFile.Open(path, fileName);
        }
        catch (InvalidDataException e)
        {
            return new ImportResult(0, 0, [e.Message]);
        }
        using var owned = file;
        var columns = file.Headers.Select(h => h.Trim().ToLowerInvariant()).ToList();
        int Col(params string[] names) => columns.FindIndex(names.Contains);
        int name = Col("name", "fullname", "full name", "фио"), phoneCol = Col("phone", "телефон"), email = Col("email", "e-mail"),
            dept = Col("department", "отдел"), pos = Col("position", "должность"), loc = Col("location", "место"), tz = Col("timezone", "time zone"),
            active = Col("active");
        if (name < 0 || phoneCol < 0) throw new DomainException("The file needs a header row with at least the columns name and phone.");

        var rows = file.Rows().Select(f =>
        {
            string? Get(int i) => i >= 0 && i < f.Length ? f[i] : null;
            return (file.CurrentRow, new EmployeeCells(Get(name), Get(phoneCol), Get(email), Get(dept), Get(pos), Get(loc), Get(tz), Get(active)));
        });
        var result = await ApplyAsync(rows, () => file.BadRows, allOrNothing: true, user, "file " + fileName, ct);
        return new ImportResult(result.Added, result.Updated, result.Errors);
    }

    /// <summary>
    /// Applies employee rows, matched on the phone (known numbers updated, new ones added). Every
    /// row is checked whole before anything of it is applied. <paramref name="allOrNothing"/>: one
    /// bad row applies none (files); otherwise bad rows are rejected and the rest applied (a
    /// scheduled sync from an HR database, like the clients' sync). One audit entry per call.
    /// </summary>
    /// <param name="badRows">Rows the reader could not split, read after the rows.</param>
    /// <param name="source">What the audit entry says the rows came from (no personal data).</param>
    /// <param name="onRowError">Issue 20: each rejected row and why, the reason without the values of the row's cells (a sync run keeps them).</param>
    public async Task<EmployeeApplyResult> ApplyAsync(IEnumerable<(int Row, EmployeeCells Cells)> rows, Func<IEnumerable<(int Row, string Reason)>> badRows,
        bool allOrNothing, string user, string source, CancellationToken ct = default, Action<int, string>? onRowError = null)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        // A directory is thousands of people, not millions: matched in memory, saved in one transaction.
        var byPhone = (await db.Employees.ToListAsync(ct)).GroupBy(e => e.Phone).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var rowOfPhone = new Dictionary<string, int>(StringComparer.Ordinal);
        var errors = new List<string>();
        var errorCount = 0;
        int added = 0, updated = 0;
        void Fail(int row, string message, string? withoutValues = null)
        {
            errorCount++;
            onRowError?.Invoke(row, withoutValues ?? message);
            if (errors.Count < 100) errors.Add(string.Create(CultureInfo.InvariantCulture, $"Row {row}: {message}"));
        }
        foreach (var (row, cells) in rows)
        {
            var c = cells.Trimmed();
            if (c == EmployeeCells.Empty) continue;
            try
            {
                var phone = ParsePhone(c.Phone ?? "");
                if (rowOfPhone.TryGetValue(phone.Value, out var first))
                {
                    Fail(row, string.Create(CultureInfo.InvariantCulture, $"the same phone as row {first}."));
                    continue;
                }
                var isActive = c.Active is not { } a || !(a.Equals("false", StringComparison.OrdinalIgnoreCase) || a == "0" || a.Equals("no", StringComparison.OrdinalIgnoreCase));
                if (c.TimeZone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _)) throw new DomainException("Unknown time zone {0}.", zone);
                // Checked on a scratch copy first: a row that fails half-way never leaves a half-updated person behind.
                new Employee(c.Name ?? "", phone, now).Update(c.Name ?? "", phone, c.Email, c.Department, c.Position, c.Location, c.TimeZone, isActive, now);
                rowOfPhone[phone.Value] = row;
                if (!byPhone.TryGetValue(phone.Value, out var employee))
                {
                    employee = new Employee(c.Name ?? "", phone, now);
                    db.Employees.Add(employee);
                    byPhone[phone.Value] = employee;
                    added++;
                }
                else
                {
                    updated++;
                }
                employee.Update(c.Name ?? "", phone, c.Email, c.Department, c.Position, c.Location, c.TimeZone, isActive, now);
            }
            catch (DomainException e)
            {
                Fail(row, e.Message, e.WithoutValues);
            }
        }
        foreach (var (row, reason) in badRows()) Fail(row, reason);
        if (errorCount > 0 && allOrNothing)
        {
            // Nothing is applied: the tracked changes are dropped with the context.
            return new EmployeeApplyResult(0, 0, errorCount, errors);
        }
        db.AuditEntries.Add(new AuditEntry(now, null, user, AuditActions.EmployeesImported, nameof(Employee), null,
            string.Create(CultureInfo.InvariantCulture, $"added={added}; updated={updated}; rejected={errorCount}; from={source}")));
        await db.SaveChangesAsync(ct);
        return new EmployeeApplyResult(added, updated, errorCount, errors);
    }

    /// <summary>A CSV stream (tests, callers without a file): spooled to a temporary file and imported by <see cref="ImportAsync"/>.</summary>
    public async Task<ImportResult> ImportCsvAsync(Stream csv, string user, CancellationToken ct = default)
    {
        var path = Path.GetTempFileName();
        try
        {
            await using (var spool = File.Create(path)) await csv.CopyToAsync(spool, ct);
            return await ImportAsync(path, "staff.csv", user, ct);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public async Task<int> SaveGroupAsync(string name, GroupRule rule, string? ruleValue, IReadOnlyList<int> members, string user, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var group = new EmployeeGroup(name, rule, ruleValue);
        db.EmployeeGroups.Add(group);
        await db.SaveChangesAsync(ct);
        if (rule == GroupRule.Static)
        {
            db.EmployeeGroupMembers.AddRange(members.Distinct().Select(m => new EmployeeGroupMember(group.Id, m)));
        }
        db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, null, user, AuditActions.GroupSaved, nameof(EmployeeGroup),
            group.Id.ToString(CultureInfo.InvariantCulture), $"rule={rule}; members={members.Count}"));
        await db.SaveChangesAsync(ct);
        return group.Id;
    }

    public async Task<IReadOnlyList<GroupRow>> GroupsAsync(CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.EmployeeGroups.AsNoTracking().OrderBy(g => g.Name)
            .Select(g => new GroupRow(g.Id, g.Name, g.Rule, g.RuleValue, db.EmployeeGroupMembers.Count(m => m.GroupId == g.Id)))
            .ToListAsync(ct);
    }

    /// <summary>
    /// Creates (<paramref name="id"/> null) or replaces a chain: its name and all its levels, in one
    /// transaction. Open alerts on the chain read its levels when they next escalate, so an edit
    /// applies from their next step on.
    /// </summary>
    public async Task<int> SaveChainAsync(int? id, string name, IReadOnlyList<LevelInput> levels, string user, CancellationToken ct = default)
    {
        if (levels.Count == 0) throw new DomainException("A chain needs at least one level.");
        await using var db = await contexts.CreateDbContextAsync(ct);
        var people = levels.SelectMany(l => l.People).Distinct().ToList();
        var groups = levels.SelectMany(l => l.Groups).Distinct().ToList();
        var rosters = levels.SelectMany(l => l.Rosters ?? []).Distinct().ToList();
        if (await db.Employees.CountAsync(e => people.Contains(e.Id), ct) != people.Count
            || await db.EmployeeGroups.CountAsync(g => groups.Contains(g.Id), ct) != groups.Count
            || await db.OnCallRosters.CountAsync(r => rosters.Contains(r.Id), ct) != rosters.Count)
        {
            throw new DomainException("A level names a person or group that no longer exists.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        EscalationChain chain;
        if (id is { } existing)
        {
            chain = await db.EscalationChains.Include(c => c.Levels).FirstOrDefaultAsync(c => c.Id == existing, ct)
                ?? throw new DomainException("There is no such escalation chain.");
            chain.Rename(name);
            // Old levels go first (their numbers are unique per chain), then the new ones are added.
            db.EscalationLevels.RemoveRange(chain.Levels);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            chain = await db.EscalationChains.FirstAsync(c => c.Id == existing, ct);
        }
        else
        {
            chain = new EscalationChain(name);
            db.EscalationChains.Add(chain);
        }
        if (await db.EscalationChains.AnyAsync(c => c.Name == chain.Name && c.Id != chain.Id, ct))
        {
            throw new DomainException("A chain with this name exists.");
        }
        foreach (var l in levels)
        {
            chain.AddLevel(l.People, l.Groups, TimeSpan.FromSeconds(l.TimeoutSeconds), l.Required, l.RequiredCount, l.Repeats,
                l.RepeatIntervalSeconds > 0 ? TimeSpan.FromSeconds(l.RepeatIntervalSeconds) : null, l.Rosters);
        }
        await db.SaveChangesAsync(ct);
        db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, null, user, AuditActions.ChainSaved, nameof(EscalationChain),
            chain.Id.ToString(CultureInfo.InvariantCulture), $"{(id is null ? "added" : "changed")}; levels={levels.Count}"));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return chain.Id;
    }

    /// <summary>
    /// Deletes a chain and its levels, unless an open alert escalates along it: that alert reads the
    /// chain's levels at its next step, so it must be closed first. Closed alerts keep their history
    /// (recipients by level, sent, delivered and confirmed times, outcome); their link to the chain
    /// is cleared by the foreign key (SET NULL), and the audit entry keeps the chain's id and name.
    /// The check and the delete are one statement, so an alert opened between them cannot lose its chain.
    /// </summary>
    /// <exception cref="DomainException">No such chain, or an open alert uses it.</exception>
    public async Task DeleteChainAsync(int id, string user, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var name = await db.EscalationChains.AsNoTracking().Where(c => c.Id == id).Select(c => c.Name).FirstOrDefaultAsync(ct)
            ?? throw new DomainException("There is no such escalation chain.");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var deleted = await db.EscalationChains
            .Where(c => c.Id == id && !db.Alerts.Any(a => a.ChainId == c.Id && a.State == Portal.Domain.Alerts.AlertState.Open))
            .ExecuteDeleteAsync(ct);
        if (deleted == 0)
        {
            var open = await db.Alerts.CountAsync(a => a.ChainId == id && a.State == Portal.Domain.Alerts.AlertState.Open, ct);
            if (open == 0) throw new DomainException("There is no such escalation chain.");
            throw new DomainException("Open alerts escalate along this chain ({0}): close them first.", open);
        }
        db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, null, user, AuditActions.ChainDeleted, nameof(EscalationChain),
            id.ToString(CultureInfo.InvariantCulture), $"name={name}"));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    public async Task<ChainDetail?> ChainAsync(int id, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var chain = await db.EscalationChains.AsNoTracking().Include(c => c.Levels).FirstOrDefaultAsync(c => c.Id == id, ct);
        return chain is null ? null : new ChainDetail(chain.Id, chain.Name, chain.Levels.OrderBy(l => l.Number)
            .Select(l => new LevelInput(l.Employees, l.Groups, l.TimeoutSeconds, l.Required, l.RequiredCount, l.Repeats, l.RepeatIntervalSeconds, l.Rosters)).ToList());
    }

    /// <summary>Creates (<paramref name="id"/> null) or changes an on-call roster; its members must exist. Audited.</summary>
    public async Task<int> SaveRosterAsync(int? id, RosterInput input, string user, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var members = input.Members.Distinct().ToList();
        if (await db.Employees.CountAsync(e => members.Contains(e.Id), ct) != members.Count)
        {
            throw new DomainException("A level names a person or group that no longer exists.");
        }
        OnCallRoster roster;
        if (id is { } existing)
        {
            roster = await db.OnCallRosters.FirstOrDefaultAsync(r => r.Id == existing, ct) ?? throw new DomainException("There is no such on-call roster.");
            roster.Change(input.Name, input.TimeZone, input.HandoverMinute, input.ShiftDays, input.StartDate, input.Members);
        }
        else
        {
            roster = new OnCallRoster(input.Name, input.TimeZone, input.HandoverMinute, input.ShiftDays, input.StartDate, input.Members);
            db.OnCallRosters.Add(roster);
        }
        if (await db.OnCallRosters.AnyAsync(r => r.Name == roster.Name && r.Id != roster.Id, ct))
        {
            throw new DomainException("A roster with this name exists.");
        }
        await db.SaveChangesAsync(ct);
        db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, null, user, AuditActions.RosterSaved, nameof(OnCallRoster),
            roster.Id.ToString(CultureInfo.InvariantCulture), $"{(id is null ? "added" : "changed")}; members={input.Members.Count}"));
        await db.SaveChangesAsync(ct);
        return roster.Id;
    }

    /// <summary>Every roster with who is on duty now and the next hand-over.</summary>
    public async Task<IReadOnlyList<RosterRow>> RostersAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rosters = await db.OnCallRosters.AsNoTracking().OrderBy(r => r.Name).ToListAsync(ct);
        return rosters.Select(r => new RosterRow(r.Id, new RosterInput(r.Name, r.TimeZone, r.HandoverMinute, r.ShiftDays, r.StartDate, r.MemberIds),
            r.OnDutyAt(now), r.NextHandoverAfter(now))).ToList();
    }

    public async Task<IReadOnlyList<(int Id, string Name, int Levels)>> ChainsAsync(CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.EscalationChains.AsNoTracking().OrderBy(c => c.Name)
            .Select(c => new { c.Id, c.Name, Levels = db.EscalationLevels.Count(l => l.ChainId == c.Id) }).ToListAsync(ct);
        return rows.Select(r => (r.Id, r.Name, r.Levels)).ToList();
    }

    /// <summary>Every employee's id and (masked unless allowed) name, for pickers; no audit, as names are all a picker shows.</summary>
    public async Task<IReadOnlyList<(int Id, string Name)>> PeoplePickerAsync(bool seesPersonalData, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Employees.AsNoTracking().Where(e => e.Active).OrderBy(e => e.FullName).Take(5000)
            .Select(e => new { e.Id, e.FullName, e.Position }).ToListAsync(ct);
        return rows.Select(r => (r.Id, (seesPersonalData ? r.FullName : PersonalDataMask.Name(r.FullName)) + (r.Position is null ? "" : " · " + r.Position))).ToList();
    }

    private static PhoneNumber ParsePhone(string input) =>
        PhoneNumber.TryParse(input, out var phone, out var error) ? phone : throw new DomainException(error ?? "The phone number is not valid.");
}
