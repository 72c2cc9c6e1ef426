using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Bi;

/// <summary>One cell of the finance cost report.</summary>
public sealed record CostRow(string Month, int? DepartmentId, string? Department, int? ProviderId, string? Provider, string Operator, long Messages, long Parts, decimal Cost);

/// <summary>A row-numbered problem of a statement file (row 1 is the header).</summary>
/// <remarks><see cref="Reason"/> is a resource key with placeholders; <see cref="Arguments"/> fill them (the UI translates the key).</remarks>
public sealed record StatementError(int Row, string Column, string Reason, params object[] Arguments)
{
    public string Text => string.Format(CultureInfo.InvariantCulture, Reason, Arguments);
}

/// <summary>One line of a provider's statement: a message (by the provider's id) or a day's count.</summary>
public sealed record StatementLine(int Row, DateOnly Date, string? MessageId, int? Count, int Parts, decimal Amount);

/// <summary>A statement row or a Portal message that has no counterpart, or whose parts or amount differ.</summary>
public sealed record ReconciliationItem(string Kind, int? Row, string? MessageId, long? PortalMessageId, DateOnly? Date, int? StatementParts, int? PortalParts, decimal? StatementAmount, decimal? PortalAmount);

public sealed record ReconciliationResult(
    IReadOnlyList<StatementError> Errors,
    int StatementRows, long Matched, long MissingInPortal, long MissingInStatement, long Mismatched,
    decimal StatementAmount, decimal PortalAmount, IReadOnlyList<ReconciliationItem> Items)
{
    public bool Ok => Errors.Count == 0;
    public decimal Difference => StatementAmount - PortalAmount;
    public static ReconciliationResult Failed(IReadOnlyList<StatementError> errors) => new(errors, 0, 0, 0, 0, 0, 0, 0, []);
}

/// <summary>
/// Finance (issue 16, item 6): what each department spent per month on which provider and operator,
/// and a provider's statement reconciled against Portal's messages. Both are set-based: the statement
/// is loaded into a temporary table and joined in the database, not matched row by row in C#.
/// </summary>
public sealed class FinanceReports(IDbContextFactory<PortalDbContext> contexts, IOptions<BiOptions> options)
{
    public const int MaxItems = 500;

    public async Task<IReadOnlyList<CostRow>> CostReportAsync(DateTime from, DateTime to, int? departmentId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        await using var cmd = connection.CreateCommand();
        var q = new BiSql(cmd, db.Database.IsNpgsql(), new BiFilter(from, to, departmentId), null, null, false);
        var at = "COALESCE(m.\"SubmittedAt\", m.\"CreatedAt\")";
        cmd.CommandText = $"""
            SELECT {q.Month(at)} AS mon, k."DepartmentId", d."Name", m."ProviderId", p."Name", c."Operator",
                   COUNT(*), {q.Big("SUM(m.\"Parts\")")}, SUM(m."Cost")
            FROM "Messages" m
            JOIN "Campaigns" k ON k."Id" = m."CampaignId"
            JOIN "Clients" c ON c."Id" = m."ClientId"
            LEFT JOIN "Departments" d ON d."Id" = k."DepartmentId"
            LEFT JOIN "Providers" p ON p."Id" = m."ProviderId"
            WHERE m."Status" <> 2{q.Where(at, "k.\"DepartmentId\"", null, null)}
            GROUP BY 1, 2, 3, 4, 5, 6
            ORDER BY 1, 3, 5, 6
            """;
        var rows = new List<CostRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            rows.Add(new CostRow(r.GetString(0), r.IsDBNull(1) ? null : r.GetInt32(1), r.IsDBNull(2) ? null : r.GetString(2),
                r.IsDBNull(3) ? null : r.GetInt32(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetString(5),
                r.GetInt64(6), r.GetInt64(7), Math.Round(r.GetDecimal(8), 4)));
        }
        return rows;
    }

    // ---- Statement parsing -----------------------------------------------------------------------

    private static readonly string[] Known = ["date", "message_id", "count", "parts", "amount", "currency"];

    /// <summary>
    /// Parses a statement: a header naming date, parts, amount, currency and message_id or count. Any
    /// error (an unknown or missing column, a bad value, a duplicate id, another currency) is reported
    /// with its row number and the whole file is rejected.
    /// </summary>
    public (IReadOnlyList<StatementLine> Lines, IReadOnlyList<StatementError> Errors) Parse(TextReader text)
    {
        var errors = new List<StatementError>();
        var lines = new List<StatementLine>();
        var records = CsvRecords(text).GetEnumerator();
        if (!records.MoveNext())
        {
            return ([], [new StatementError(1, "", "The file is empty.")]);
        }
        var header = records.Current.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        foreach (var h in header.Where(h => !Known.Contains(h))) errors.Add(new StatementError(1, h, "Unknown column."));
        foreach (var h in header.GroupBy(h => h).Where(g => g.Count() > 1)) errors.Add(new StatementError(1, h.Key, "The column appears twice."));
        foreach (var required in new[] { "date", "parts", "amount", "currency" }.Where(r => !header.Contains(r)))
        {
            errors.Add(new StatementError(1, required, "Missing column."));
        }
        var byId = header.Contains("message_id");
        if (byId == header.Contains("count")) errors.Add(new StatementError(1, "message_id", "Give either message_id or count."));
        if (errors.Count > 0) return ([], errors);

        int Col(string name) => Array.IndexOf(header, name);
        var currency = options.Value.Currency;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var row = 1;
        while (records.MoveNext())
        {
            row++;
            var f = records.Current;
            if (f.Count == 1 && f[0].Length == 0) continue;
            if (f.Count != header.Length)
            {
                errors.Add(new StatementError(row, "", "Expected {0} fields, found {1}.", header.Length, f.Count));
                continue;
            }
            string V(string name) => f[Col(name)].Trim();
            var ok = true;
            if (!DateOnly.TryParseExact(V("date"), ["yyyy-MM-dd", "dd.MM.yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                errors.Add(new StatementError(row, "date", "Not a date (yyyy-MM-dd)."));
                ok = false;
            }
            if (!int.TryParse(V("parts"), NumberStyles.None, CultureInfo.InvariantCulture, out var parts))
            {
                errors.Add(new StatementError(row, "parts", "Not a whole number."));
                ok = false;
            }
            if (!decimal.TryParse(V("amount"), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                errors.Add(new StatementError(row, "amount", "Not an amount (0.00)."));
                ok = false;
            }
            if (!string.Equals(V("currency"), currency, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new StatementError(row, "currency", "Another currency than {0}.", currency));
                ok = false;
            }
            string? id = null;
            int? count = null;
            if (byId)
            {
                id = V("message_id");
                if (id.Length is 0 or > 64)
                {
                    errors.Add(new StatementError(row, "message_id", "Empty or longer than 64 characters."));
                    ok = false;
                }
                else if (seen.TryGetValue(id, out var first))
                {
                    errors.Add(new StatementError(row, "message_id", "Duplicate id (first on row {0}).", first));
                    ok = false;
                }
                else
                {
                    seen[id] = row;
                }
            }
            else if (int.TryParse(V("count"), NumberStyles.None, CultureInfo.InvariantCulture, out var c))
            {
                count = c;
            }
            else
            {
                errors.Add(new StatementError(row, "count", "Not a whole number."));
                ok = false;
            }
            if (ok) lines.Add(new StatementLine(row, date, id, count, parts, amount));
            if (errors.Count >= 1000) break;
        }
        if (errors.Count == 0 && lines.Count == 0) errors.Add(new StatementError(2, "", "The statement has no rows."));
        return (errors.Count > 0 ? [] : lines, errors);
    }

    /// <summary>RFC 4180 records (quoted fields, doubled quotes, CRLF or LF).</summary>
    internal static IEnumerable<List<string>> CsvRecords(TextReader text)
    {
        var field = new StringBuilder();
        var record = new List<string>();
        var quoted = false;
        var any = false;
        int ch;
        while ((ch = text.Read()) >= 0)
        {
            any = true;
            var c = (char)ch;
            if (quoted)
            {
                if (c == '"')
                {
                    if (text.Peek() == '"') { text.Read(); field.Append('"'); }
                    else quoted = false;
                }
                else field.Append(c);
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0: quoted = true; break;
                case ',': record.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n':
                    record.Add(field.ToString());
                    field.Clear();
                    yield return record;
                    record = [];
                    any = false;
                    break;
                case '\uFEFF' when record.Count == 0 && field.Length == 0: break;
                default: field.Append(c); break;
            }
        }
        if (any)
        {
            record.Add(field.ToString());
            yield return record;
        }
    }

    // ---- Reconciliation --------------------------------------------------------------------------

    /// <summary>
    /// Reconciles a parsed statement of <paramref name="providerId"/> against Portal's messages of that
    /// provider in the statement's days. Per-message statements match on the provider's message id;
    /// count statements compare each day's count, parts and amount.
    /// </summary>
    public async Task<ReconciliationResult> ReconcileAsync(int providerId, IReadOnlyList<StatementLine> lines, CancellationToken ct)
    {
        var from = lines.Min(l => l.Date).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var to = lines.Max(l => l.Date).AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var pg = db.Database.IsNpgsql();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        // A temporary table lives only on this connection: concurrent reconciliations never see each other's.
        await ExecAsync(connection, pg
            ? "CREATE TEMP TABLE bi_stmt (row_no int, day text, pid varchar(64), cnt int, parts int, amount numeric(18,4)) ON COMMIT PRESERVE ROWS"
            : "CREATE TEMP TABLE bi_stmt (row_no INTEGER, day TEXT, pid TEXT, cnt INTEGER, parts INTEGER, amount TEXT)", ct);
        foreach (var chunk in lines.Chunk(500))
        {
            await using var insert = connection.CreateCommand();
            var values = new StringBuilder();
            foreach (var l in chunk)
            {
                var i = insert.Parameters.Count;
                if (values.Length > 0) values.Append(", ");
                values.Append(CultureInfo.InvariantCulture, $"(@r{i}, @d{i}, @m{i}, @c{i}, @p{i}, @a{i})");
                Add(insert, $"@r{i}", l.Row);
                Add(insert, $"@d{i}", l.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                Add(insert, $"@m{i}", (object?)l.MessageId ?? DBNull.Value);
                Add(insert, $"@c{i}", (object?)l.Count ?? DBNull.Value);
                Add(insert, $"@p{i}", l.Parts);
                Add(insert, $"@a{i}", pg ? l.Amount : l.Amount.ToString(CultureInfo.InvariantCulture));
            }
            insert.CommandText = "INSERT INTO bi_stmt (row_no, day, pid, cnt, parts, amount) VALUES " + values;
            await insert.ExecuteNonQueryAsync(ct);
        }

        var q = new BiSql(connection.CreateCommand(), pg, new BiFilter(from, to), null, null, false);
        var at = "COALESCE(m.\"SubmittedAt\", m.\"CreatedAt\")";
        var ours = $"""SELECT m."Id" AS id, m."ProviderMessageId" AS pid, m."Parts" AS parts, m."Cost" AS cost, {q.Day(at)} AS day FROM "Messages" m WHERE m."ProviderId" = @prov AND m."Status" <> 2 AND {at} >= @from AND {at} < @to""";
        var amount = pg ? "s.amount" : "CAST(s.amount AS REAL)";
        var byId = lines[0].MessageId is not null;
        string sql;
        if (byId)
        {
            sql = $"""
                WITH o AS ({ours})
                SELECT 'matched' AS kind, s.row_no, s.pid, o.id, s.day, s.parts, o.parts, {amount}, o.cost FROM bi_stmt s JOIN o ON o.pid = s.pid
                UNION ALL
                SELECT 'missing_in_portal', s.row_no, s.pid, NULL, s.day, s.parts, NULL, {amount}, NULL FROM bi_stmt s WHERE NOT EXISTS (SELECT 1 FROM o WHERE o.pid = s.pid)
                UNION ALL
                SELECT 'missing_in_statement', NULL, o.pid, o.id, o.day, NULL, o.parts, NULL, o.cost FROM o WHERE o.pid IS NULL OR NOT EXISTS (SELECT 1 FROM bi_stmt s WHERE s.pid = o.pid)
                """;
        }
        else
        {
            sql = $"""
                WITH o AS (SELECT day, COUNT(*) AS n, {q.Big("SUM(parts)")} AS parts, SUM(cost) AS cost FROM ({ours}) x GROUP BY day),
                     st AS (SELECT s.day, MIN(s.row_no) AS row_no, SUM(s.cnt) AS n, SUM(s.parts) AS parts, SUM({amount}) AS amount FROM bi_stmt s GROUP BY s.day)
                SELECT CASE WHEN st.n = o.n THEN 'matched' WHEN st.n > o.n THEN 'missing_in_portal' ELSE 'missing_in_statement' END,
                       st.row_no, NULL, NULL, st.day, st.parts, o.parts, st.amount, o.cost FROM st JOIN o ON o.day = st.day
                UNION ALL
                SELECT 'missing_in_portal', st.row_no, NULL, NULL, st.day, st.parts, NULL, st.amount, NULL FROM st WHERE NOT EXISTS (SELECT 1 FROM o WHERE o.day = st.day)
                UNION ALL
                SELECT 'missing_in_statement', NULL, NULL, NULL, o.day, NULL, o.parts, NULL, o.cost FROM o WHERE NOT EXISTS (SELECT 1 FROM st WHERE st.day = o.day)
                """;
        }
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        Add(cmd, "@prov", providerId);
        Add(cmd, "@from", pg ? from : from.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
        Add(cmd, "@to", pg ? to : to.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
        long matched = 0, missingPortal = 0, missingStatement = 0, mismatched = 0;
        decimal statementAmount = 0, portalAmount = 0;
        var items = new List<ReconciliationItem>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var kind = r.GetString(0);
                var sParts = r.IsDBNull(5) ? (int?)null : Convert.ToInt32(r.GetValue(5), CultureInfo.InvariantCulture);
                var oParts = r.IsDBNull(6) ? (int?)null : Convert.ToInt32(r.GetValue(6), CultureInfo.InvariantCulture);
                var sAmount = r.IsDBNull(7) ? (decimal?)null : Math.Round(r.GetDecimal(7), 4);
                var oAmount = r.IsDBNull(8) ? (decimal?)null : Math.Round(r.GetDecimal(8), 4);
                statementAmount += sAmount ?? 0;
                portalAmount += oAmount ?? 0;
                if (kind == "matched" && (sParts != oParts || sAmount != oAmount))
                {
                    kind = "mismatch";
                }
                switch (kind)
                {
                    case "matched": matched++; continue;
                    case "mismatch": mismatched++; break;
                    case "missing_in_portal": missingPortal++; break;
                    default: missingStatement++; break;
                }
                if (items.Count < MaxItems)
                {
                    items.Add(new ReconciliationItem(kind, r.IsDBNull(1) ? null : r.GetInt32(1), r.IsDBNull(2) ? null : r.GetString(2),
                        r.IsDBNull(3) ? null : r.GetInt64(3), r.IsDBNull(4) ? null : DateOnly.ParseExact(r.GetString(4), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                        sParts, oParts, sAmount, oAmount));
                }
            }
        }
        await ExecAsync(connection, "DROP TABLE bi_stmt", CancellationToken.None);
        return new ReconciliationResult([], lines.Count, matched, missingPortal, missingStatement, mismatched, statementAmount, portalAmount,
            items.OrderBy(i => i.Row ?? int.MaxValue).ThenBy(i => i.PortalMessageId).ToList());
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    private static async Task ExecAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
