using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Segments;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Segments;

public enum StaticListKey
{
    Phone = 1,
    ExternalId = 2,
}

public sealed record StaticListSummary(int Id, string Name, int MemberCount, DateTime CreatedAt, string CreatedBy);

/// <summary>A file row whose phone or external id matched no client (or was not a phone at all).</summary>
public sealed record UnmatchedRow(int Row, string Reason);

public sealed record StaticListUploadResult(int ListId, int Rows, int Members, IReadOnlyList<UnmatchedRow> Unmatched);

/// <summary>
/// Static lists from a CSV/XLSX of phones or external ids. Values are staged in a temporary table
/// and resolved to clients with one join, so a list of 100,000 numbers is a few statements, not
/// 100,000 look-ups. Rows that match nobody are reported with their row number (header = row 1).
/// </summary>
public sealed class StaticListImport(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<Importing.ImportOptions>? limits = null)
{
    private const int Batch = 400;
    private static readonly string[] PhoneHeaders = ["phone", "msisdn", "телефон", "номер", "mobile"];
    private static readonly string[] ExternalIdHeaders = ["external_id", "externalid", "external id", "client_id", "crm_id", "id"];

    /// <summary>Every list (system callers); users see <see cref="ListAsync(DepartmentScope, CancellationToken)"/>.</summary>
    public Task<IReadOnlyList<StaticListSummary>> ListAsync(CancellationToken ct) => ListAsync(DepartmentScope.Everything, ct);

    /// <summary>The lists of the user's department and the shared ones (all for administrators).</summary>
    public async Task<IReadOnlyList<StaticListSummary>> ListAsync(DepartmentScope scope, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var (all, department) = (scope.All, scope.DepartmentId);
        return await db.StaticLists.AsNoTracking().Where(l => all || l.DepartmentId == null || l.DepartmentId == department).OrderBy(l => l.Name)
            .Select(l => new StaticListSummary(l.Id, l.Name, l.MemberCount, l.CreatedAt, l.CreatedBy)).ToListAsync(ct);
    }

    /// <exception cref="InvalidDataException">The file cannot be read or has no phone / external id column.</exception>
    public async Task<StaticListUploadResult> CreateAsync(string name, string path, string fileName, StaticListKey key, int? departmentId, string user, CancellationToken ct)
    {
        using var file = TabularFile.Open(path, fileName, limits?.Value);
        var column = FindColumn(file.Headers, key);
        var unmatched = new List<UnmatchedRow>(file.BadRows.Select(b => new UnmatchedRow(b.Row, b.Reason)));

        await using var db = await contexts.CreateDbContextAsync(ct);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, tx, "CREATE TEMP TABLE list_stage (row_no integer NOT NULL, value text NOT NULL)", [], ct);

        var rows = 0;
        var pending = new List<(int Row, string Value)>(Batch);
        var rowNo = 1;
        foreach (var cells in file.Rows())
        {
            rowNo++;
            rows++;
            var raw = column < cells.Length ? cells[column]?.Trim() : null;
            if (string.IsNullOrEmpty(raw))
            {
                unmatched.Add(new UnmatchedRow(rowNo, "empty"));
                continue;
            }
            if (key == StaticListKey.Phone)
            {
                if (!PhoneNumber.TryParse(raw, out var phone, out _))
                {
                    unmatched.Add(new UnmatchedRow(rowNo, "not a phone number"));
                    continue;
                }
                raw = phone.Value;
            }
            pending.Add((rowNo, raw));
            if (pending.Count == Batch)
            {
                await StageAsync(connection, tx, pending, ct);
                pending.Clear();
            }
        }
        await StageAsync(connection, tx, pending, ct);

        var list = new StaticList(name, departmentId, user, clock.GetUtcNow().UtcDateTime);
        db.Database.UseTransaction(tx);
        db.StaticLists.Add(list);
        await db.SaveChangesAsync(ct);

        var match = key == StaticListKey.Phone ? "c.\"Phone\" = s.value" : "c.\"ExternalId\" = s.value";
        var members = await ExecuteAsync(connection, tx,
            $"INSERT INTO \"StaticListMembers\" (\"ListId\", \"ClientId\") SELECT DISTINCT @list, c.\"Id\" FROM list_stage s JOIN \"Clients\" c ON {match}",
            [("@list", list.Id)], ct);
        await using (var unknown = connection.CreateCommand())
        {
            unknown.Transaction = tx;
            unknown.CommandText = $"SELECT s.row_no FROM list_stage s WHERE NOT EXISTS (SELECT 1 FROM \"Clients\" c WHERE {match}) ORDER BY s.row_no";
            await using var reader = await unknown.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                unmatched.Add(new UnmatchedRow(reader.GetInt32(0), "no such client"));
            }
        }
        list.MemberCount = members;
        await db.SaveChangesAsync(ct);
        await ExecuteAsync(connection, tx, "DROP TABLE list_stage", [], ct);
        await tx.CommitAsync(ct);
        return new StaticListUploadResult(list.Id, rows, members, unmatched.OrderBy(u => u.Row).ToList());
    }

    public Task DeleteAsync(int id, CancellationToken ct) => DeleteAsync(id, DepartmentScope.Everything, ct);

    /// <exception cref="DomainException">A segment uses the list, or it belongs to another department.</exception>
    public async Task DeleteAsync(int id, DepartmentScope scope, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var owner = await db.StaticLists.AsNoTracking().Where(l => l.Id == id).Select(l => new { l.DepartmentId }).SingleOrDefaultAsync(ct);
        if (owner is not null && !scope.Allows(owner.DepartmentId))
        {
            throw new DomainException("This list belongs to another department.");
        }
        var segments = await db.Segments.AsNoTracking().Select(s => new { s.Name, s.RulesJson }).ToListAsync(ct);
        var users = segments.Where(s => UsesList(s.RulesJson, id)).Select(s => s.Name).ToList();
        if (users.Count > 0)
        {
            throw new DomainException("Segments use this list: {0}.", string.Join(", ", users));
        }
        await db.StaticLists.Where(l => l.Id == id).ExecuteDeleteAsync(ct);
    }

    private static bool UsesList(string json, int id)
    {
        try
        {
            var rule = SegmentRuleJson.Parse(json);
            return rule.ExcludeLists.Contains(id) || rule.Conditions().Any(c =>
                c.Criterion == Criteria.StaticList && c.Value is System.Text.Json.Nodes.JsonArray a && a.Any(v => v?.GetValue<int>() == id));
        }
        catch (SegmentRuleException)
        {
            return false;
        }
    }

    private static int FindColumn(IReadOnlyList<string> headers, StaticListKey key)
    {
        var names = key == StaticListKey.Phone ? PhoneHeaders : ExternalIdHeaders;
        for (var i = 0; i < headers.Count; i++)
        {
            if (names.Contains(headers[i].Trim().ToLowerInvariant()))
            {
                return i;
            }
        }
        if (headers.Count == 1)
        {
            return 0;
        }
        throw new InvalidDataException(key == StaticListKey.Phone
            ? "No phone column: name it 'phone' (or 'телефон', 'msisdn'), or upload a file with one column."
            : "No external id column: name it 'external_id' (or 'client_id', 'crm_id'), or upload a file with one column.");
    }

    private static async Task StageAsync(DbConnection connection, DbTransaction tx, List<(int Row, string Value)> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var parameters = new List<(string, object)>(rows.Count * 2);
        var values = new List<string>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            values.Add($"(@r{i}, @v{i})");
            parameters.Add(($"@r{i}", rows[i].Row));
            parameters.Add(($"@v{i}", rows[i].Value));
        }
        await ExecuteAsync(connection, tx, $"INSERT INTO list_stage (row_no, value) VALUES {string.Join(", ", values)}", parameters, ct);
    }

    private static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction tx, string sql, IEnumerable<(string Name, object Value)> parameters, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            command.Parameters.Add(p);
        }
        return await command.ExecuteNonQueryAsync(ct);
    }
}
