using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Staff;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Alerts;

public sealed record EmployeeInput(string FullName, string Phone, string? Email, string? Department, string? Position, string? Location,
    string? TimeZone, bool Active = true);

public sealed record EmployeeRow(int Id, string FullName, string Phone, string? Email, string? Department, string? Position, string? Location,
    string? TimeZone, bool Active);

public sealed record ImportResult(int Added, int Updated, IReadOnlyList<string> Errors);

public sealed record GroupRow(int Id, string Name, GroupRule Rule, string? RuleValue, int Members);

public sealed record ChainRow(int Id, string Name, IReadOnlyList<(int Number, int Timeout, string People, string Groups)> Levels);

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
    /// CSV with a header row: name, phone, email, department, position, location, timezone, active
    /// (comma or semicolon, quotes allowed; name and phone required). Rows are matched on the phone:
    /// known numbers are updated, new ones added. Bad rows are reported by line and skipped.
    /// </summary>
    public async Task<ImportResult> ImportCsvAsync(Stream csv, string user, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        using var reader = new StreamReader(csv, Encoding.UTF8);
        var header = await reader.ReadLineAsync(ct) ?? "";
        var separator = header.Count(c => c == ';') > header.Count(c => c == ',') ? ';' : ',';
        var columns = SplitCsv(header, separator).Select(h => h.Trim().ToLowerInvariant()).ToList();
        int Col(params string[] names) => columns.FindIndex(names.Contains);
        int name = Col("name", "fullname", "full name", "фио"), phoneCol = Col("phone", "телефон"), email = Col("email", "e-mail"),
            dept = Col("department", "отдел"), pos = Col("position", "должность"), loc = Col("location", "место"), tz = Col("timezone", "time zone"),
            active = Col("active");
        if (name < 0 || phoneCol < 0) throw new DomainException("The file needs a header row with at least the columns name and phone.");

        await using var db = await contexts.CreateDbContextAsync(ct);
        var byPhone = (await db.Employees.ToListAsync(ct)).GroupBy(e => e.Phone).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var errors = new List<string>();
        int added = 0, updated = 0, line = 1;
        while (await reader.ReadLineAsync(ct) is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            var f = SplitCsv(text, separator);
            string? Get(int i) => i >= 0 && i < f.Count && !string.IsNullOrWhiteSpace(f[i]) ? f[i].Trim() : null;
            try
            {
                var phone = ParsePhone(Get(phoneCol) ?? "");
                var isActive = Get(active) is not { } a || !(a.Equals("false", StringComparison.OrdinalIgnoreCase) || a == "0" || a.Equals("no", StringComparison.OrdinalIgnoreCase));
                if (!byPhone.TryGetValue(phone.Value, out var employee))
                {
                    employee = new Employee(Get(name) ?? "", phone, now);
                    db.Employees.Add(employee);
                    byPhone[phone.Value] = employee;
                    added++;
                }
                else
                {
                    updated++;
                }
                employee.Update(Get(name) ?? "", phone, Get(email), Get(dept), Get(pos), Get(loc), Get(tz), isActive, now);
            }
            catch (DomainException e)
            {
                if (errors.Count < 100) errors.Add(string.Create(CultureInfo.InvariantCulture, $"Line {line}: {e.Message}"));
            }
        }
        db.AuditEntries.Add(new AuditEntry(now, null, user, AuditActions.EmployeesImported, nameof(Employee), null,
            $"added={added}; updated={updated}; errors={errors.Count}"));
        await db.SaveChangesAsync(ct);
        return new ImportResult(added, updated, errors);
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

    public async Task<int> SaveChainAsync(string name, IReadOnlyList<(IReadOnlyList<int> People, IReadOnlyList<int> Groups, TimeSpan Timeout)> levels, string user,
        CancellationToken ct = default)
    {
        if (levels.Count == 0) throw new DomainException("A chain needs at least one level.");
        var chain = new EscalationChain(name);
        foreach (var level in levels) chain.AddLevel(level.People, level.Groups, level.Timeout);
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.EscalationChains.Add(chain);
        await db.SaveChangesAsync(ct);
        db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, null, user, AuditActions.ChainSaved, nameof(EscalationChain),
            chain.Id.ToString(CultureInfo.InvariantCulture), $"levels={levels.Count}"));
        await db.SaveChangesAsync(ct);
        return chain.Id;
    }

    public async Task<IReadOnlyList<(int Id, string Name, int Levels)>> ChainsAsync(CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.EscalationChains.AsNoTracking().OrderBy(c => c.Name)
            .Select(c => new { c.Id, c.Name, Levels = db.EscalationLevels.Count(l => l.ChainId == c.Id) }).ToListAsync(ct);
        return rows.Select(r => (r.Id, r.Name, r.Levels)).ToList();
    }

    private static PhoneNumber ParsePhone(string input) =>
        PhoneNumber.TryParse(input, out var phone, out var error) ? phone : throw new DomainException(error ?? "The phone number is not valid.");

    internal static List<string> SplitCsv(string line, char separator)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == separator) { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }
}
