using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Domain.Imports;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Importing;

public enum ImportPhase
{
    Reading,
    Checking,
    Applying,
    Done,
}

public sealed record ImportProgress(ImportPhase Phase, int RowsRead, double Fraction);

/// <summary>What to import and how. <see cref="Mapping"/> is aligned with the file's columns; null = skip the column.</summary>
/// <summary>What to import from an <see cref="ITabularSource"/>: <see cref="Mapping"/> is aligned with its headers.</summary>
/// <param name="Evidence">Written on consent changes, e.g. "import #12: clients.csv" or "sync #3: CRM".</param>
public sealed record ImportPlan(IReadOnlyList<ClientField?> Mapping, ImportMode Mode, ImportMatch Match, string Evidence)
{
    public IReadOnlySet<int> UnknownColumns { get; init; } = new HashSet<int>();

    /// <summary>Columns mapped to a custom attribute, by column index → attribute key (their <see cref="Mapping"/> entry is null).</summary>
    public IReadOnlyDictionary<int, string> AttributeColumns { get; init; } = new Dictionary<int, string>();

    /// <summary>
    /// Issue 20: row errors for a caller without a job (a scheduled sync keeps them with its run):
    /// row, column (null: the whole row), reason. A reason can quote the cell's value.
    /// </summary>
    public Action<int, string?, string>? OnRowError { get; init; }
}

public sealed record ImportOutcome(int Total, int Inserted, int Updated, int Rejected, string? Error)
{
    public int Upserted => Inserted + Updated;
}

public sealed record ImportRequest(
    string Path, string FileName, IReadOnlyList<ClientField?> Mapping, ImportMode Mode, ImportMatch Match, string CreatedBy)
{
    /// <summary>Columns the user left unmapped without marking them skipped: reported as unknown.</summary>
    public IReadOnlySet<int> UnknownColumns { get; init; } = new HashSet<int>();

    /// <summary>Columns mapped to a custom attribute (issue 20): column index → attribute key.</summary>
    public IReadOnlyDictionary<int, string> AttributeColumns { get; init; } = new Dictionary<int, string>();
}

/// <summary>
/// Imports clients from a CSV or XLSX file, streaming: rows are validated as they are read and
/// bulk-loaded into a staging table (binary COPY on PostgreSQL); duplicates and conflicts are
/// found in SQL; then one transaction updates the matched clients and inserts the new ones.
/// A failed or cancelled import applies nothing. Row errors name the row and the reason, never
/// the cell's value.
/// </summary>
public sealed class ClientImporter(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock, ILogger<ClientImporter> logger,
    Microsoft.Extensions.Options.IOptions<ImportOptions>? limits = null)
{
    public const int MaxStoredErrors = 10_000;

    // Temp tables outlive a pooled connection's return, so an import drops them before and after.
    private const string DropStage = "DROP TABLE IF EXISTS import_stage; DROP TABLE IF EXISTS import_conflict; DROP TABLE IF EXISTS import_existing;";

    private enum Conflict
    {
        DuplicateKey = 1,
        DuplicatePhone = 2,
        PhoneTaken = 3,
        ExternalIdTaken = 4,
        Erased = 5,
    }

    /// <summary>Creates the job row so the UI can show it before the file is read.</summary>
    public async Task<int> CreateJobAsync(ImportRequest request, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var mapping = JsonSerializer.Serialize(request.Mapping.Select(m => m?.ToString()));
        var job = new ImportJob(request.FileName, request.Mode, request.Match, mapping, request.CreatedBy, Now);
        db.ImportJobs.Add(job);
        await db.SaveChangesAsync(ct);
        return job.Id;
    }

    public async Task<ImportJob> RunAsync(int jobId, ImportRequest request, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        await UpdateJobAsync(jobId, j => j.Start(Now));
        var clock = Stopwatch.StartNew();
        var counts = new ImportCounts();
        var errors = new ErrorSink(contexts, jobId);
        try
        {
            using var file = TabularFile.Open(request.Path, request.FileName, limits?.Value);
            if (request.Mapping.Count != file.Headers.Count)
            {
                throw new InvalidDataException("The file's columns changed since the mapping was made: upload it again.");
            }
            var plan = new ImportPlan(request.Mapping, request.Mode, request.Match, $"import #{jobId}: {request.FileName}")
            {
                UnknownColumns = request.UnknownColumns,
                AttributeColumns = request.AttributeColumns,
            };
            var outcome = await ImportAsync(file, plan, errors, counts, progress, ct);
            if (outcome.Error is not null)
            {
                return await FinishFailedAsync(jobId, outcome.Total, outcome.Rejected, outcome.Error);
            }
            var job = await UpdateJobAsync(jobId, j => j.Complete(outcome.Total, outcome.Inserted, outcome.Updated, outcome.Rejected, Now));
            Telemetry.PortalMetrics.RecordImport(outcome.Upserted, outcome.Rejected);
            logger.LogInformation("Import {JobId}: {Total} rows, {Inserted} inserted, {Updated} updated, {Rejected} rejected in {Seconds:F1} s",
                jobId, outcome.Total, outcome.Inserted, outcome.Updated, outcome.Rejected, clock.Elapsed.TotalSeconds);
            return job;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await errors.FlushAsync();
            logger.LogInformation("Import {JobId} cancelled after {Total} rows; nothing applied", jobId, counts.Total);
            return await UpdateJobAsync(jobId, j => j.Cancel(Now));
        }
        catch (InvalidDataException e)
        {
            await errors.FlushAsync();
            return await FinishFailedAsync(jobId, counts.Total, counts.Rejected, e.Message);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Import {JobId} failed after {Total} rows; nothing applied", jobId, counts.Total);
            return await FinishFailedAsync(jobId, counts.Total, counts.Rejected, "The import stopped on an internal error and applied nothing: " + e.GetType().Name);
        }
    }

    /// <summary>
    /// Imports from any row source (a scheduled sync's query or feed) with the same staging,
    /// conflict checks and one-transaction merge as a file. No job row, no stored row errors:
    /// the caller records the outcome, and gets the row errors through <see cref="ImportPlan.OnRowError"/>. Exceptions (the source failing mid-way, cancellation)
    /// propagate, and then nothing was applied.
    /// </summary>
    /// <exception cref="InvalidDataException">The mapping cannot work (no phone, no key column).</exception>
    public Task<ImportOutcome> RunAsync(ITabularSource source, ImportPlan plan, CancellationToken ct) =>
        ImportAsync(source, plan, new ErrorSink(contexts, null, plan.OnRowError), new ImportCounts(), null, ct);

    private sealed class ImportCounts
    {
        public int Total;
        public int Rejected;
    }

    private async Task<ImportOutcome> ImportAsync(ITabularSource file, ImportPlan request, ErrorSink errors, ImportCounts counts,
        IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        foreach (var column in request.UnknownColumns.Order())
        {
            errors.Add(1, file.Headers[column], "Unknown column: map it to a field or mark it Skip.");
        }
        if (request.Mode == ImportMode.AllOrNothing && request.UnknownColumns.Count > 0)
        {
            await errors.FlushAsync();
            return new ImportOutcome(0, 0, 0, 0, "Unknown columns: map each to a field or mark it Skip.");
        }
        var parser = new ClientRowParser(request.Mapping, file.Headers, request.Match)
        {
            AttributeColumns = await AttributeDefinitionsAsync(request.AttributeColumns, ct),
        };
        if (!parser.Maps(ClientField.Phone) || (request.Match == ImportMatch.ExternalId && !parser.Maps(ClientField.ExternalId)))
        {
            throw new InvalidDataException(request.Match == ImportMatch.ExternalId
                ? "Map a column to Phone and one to External id: rows are matched by external id."
                : "Map a column to Phone: rows are matched by phone.");
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        var dialect = StagingDialect.For(connection);
        await dialect.PrepareSessionAsync(connection, ct);
        await ExecAsync(connection, null, DropStage, ct);
        await ExecAsync(connection, null, dialect.CreateStageSql, ct);

        // 1. Read, validate, stage: nothing held in memory but the current row.
        var rowErrors = new List<RowError>();
        await using (var writer = dialect.OpenWriter(connection))
        {
            var rowNumber = 1; // the header is row 1, as a spreadsheet shows it
            foreach (var cells in file.Rows())
            {
                ct.ThrowIfCancellationRequested();
                // A file's rows are numbered where they are (a quoted field over several lines, a skipped
                // bad row); other sources count their rows.
                var row = ++rowNumber;
                if (file.CurrentRow > 0)
                {
                    row = rowNumber = file.CurrentRow;
                }
                // Issue 20: a row of empty cells (",,,," a spreadsheet leaves behind) is skipped, not rejected.
                if (cells.All(string.IsNullOrWhiteSpace))
                {
                    continue;
                }
                counts.Total++;
                rowErrors.Clear();
                if (parser.Parse(cells, rowErrors) is { } client)
                {
                    await writer.WriteAsync(row, client, ct);
                }
                else
                {
                    counts.Rejected++;
                    foreach (var e in rowErrors)
                    {
                        errors.Add(row, e.Column, e.Reason);
                    }
                }
                if (counts.Total % 10_000 == 0)
                {
                    progress?.Report(new ImportProgress(ImportPhase.Reading, counts.Total, file.Progress * 0.8));
                }
            }
            await writer.CompleteAsync(ct);
        }
        foreach (var (row, reason) in file.BadRows)
        {
            // Issue 20: a row the reader could not use is a row of the file: counted in the total as
            // well as rejected, so rows = added + updated + unchanged + rejected always holds.
            counts.Total++;
            counts.Rejected++;
            errors.Add(row, null, reason);
        }
        var total = counts.Total;
        progress?.Report(new ImportProgress(ImportPhase.Checking, total, 0.8));

        // 2. Duplicates inside the file and clashes with other clients, found in SQL.
        counts.Rejected += await FindConflictsAsync(connection, request.Match, errors, ct);
        var rejected = counts.Rejected;
        await errors.FlushAsync();
        if (request.Mode == ImportMode.AllOrNothing && rejected > 0)
        {
            return new ImportOutcome(total, 0, 0, rejected,
                $"{rejected:N0} of {total:N0} rows have errors; nothing was imported (all-or-nothing). Fix them or choose 'import the valid rows'.");
        }
        ct.ThrowIfCancellationRequested();

        // 3. One transaction: update the matched clients, insert the new ones.
        progress?.Report(new ImportProgress(ImportPhase.Applying, total, 0.85));
        var (inserted, updated) = await MergeAsync(connection, dialect, parser, request.Match, request.Evidence, ct);
        await ExecAsync(connection, null, DropStage, CancellationToken.None);
        progress?.Report(new ImportProgress(ImportPhase.Done, total, 1));
        return new ImportOutcome(total, inserted, updated, rejected, null);
    }

    /// <exception cref="InvalidDataException">A column names an attribute that is not defined (any more).</exception>
    private async Task<IReadOnlyDictionary<int, Domain.Clients.AttributeDefinition>> AttributeDefinitionsAsync(IReadOnlyDictionary<int, string> columns, CancellationToken ct)
    {
        if (columns.Count == 0)
        {
            return new Dictionary<int, Domain.Clients.AttributeDefinition>();
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var keys = columns.Values.Select(k => k.ToLowerInvariant()).Distinct().ToList();
        var definitions = await db.AttributeDefinitions.AsNoTracking().Where(d => keys.Contains(d.Key)).ToDictionaryAsync(d => d.Key, ct);
        if (keys.FirstOrDefault(k => !definitions.ContainsKey(k)) is { } missing)
        {
            throw new InvalidDataException($"There is no custom attribute '{missing}': define it first, or map the column to another field.");
        }
        if (columns.Values.GroupBy(k => k.ToLowerInvariant()).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidDataException($"The attribute '{twice.Key}' is mapped to two columns.");
        }
        return columns.ToDictionary(c => c.Key, c => definitions[c.Value.ToLowerInvariant()]);
    }

    private async Task<int> FindConflictsAsync(DbConnection connection, ImportMatch match, ErrorSink errors, CancellationToken ct)
    {
        var (key, keyColumn) = match == ImportMatch.ExternalId ? ("external_id", "ExternalId") : ("phone", "Phone");
        const string NotYet = "NOT EXISTS (SELECT 1 FROM import_conflict x WHERE x.row_no = {0}.row_no)";
        var sql = $"""
            INSERT INTO import_conflict (row_no, reason, other_row)
              SELECT row_no, {(int)Conflict.DuplicateKey}, first_row
              FROM (SELECT row_no, MIN(row_no) OVER (PARTITION BY {key}) AS first_row FROM import_stage) d WHERE row_no <> first_row;
            INSERT INTO import_conflict (row_no, reason, other_row)
              SELECT s.row_no, {(int)Conflict.Erased}, NULL FROM import_stage s JOIN "Clients" c ON c."{keyColumn}" = s.{key}
              WHERE c."Status" = 4 AND {string.Format(NotYet, "s")};
            """;
        sql += match == ImportMatch.ExternalId
            ? $"""
              INSERT INTO import_conflict (row_no, reason, other_row)
                SELECT row_no, {(int)Conflict.DuplicatePhone}, first_row
                FROM (SELECT row_no, MIN(row_no) OVER (PARTITION BY phone) AS first_row FROM import_stage) d
                WHERE row_no <> first_row AND {string.Format(NotYet, "d")};
              INSERT INTO import_conflict (row_no, reason, other_row)
                SELECT s.row_no, {(int)Conflict.PhoneTaken}, NULL FROM import_stage s JOIN "Clients" c ON c."Phone" = s.phone
                WHERE (c."ExternalId" IS NULL OR c."ExternalId" <> s.external_id) AND {string.Format(NotYet, "s")};
              """
            : $"""
              INSERT INTO import_conflict (row_no, reason, other_row)
                SELECT s.row_no, {(int)Conflict.ExternalIdTaken}, NULL FROM import_stage s JOIN "Clients" c ON c."ExternalId" = s.external_id
                WHERE c."Phone" <> s.phone AND {string.Format(NotYet, "s")};
              """;
        await ExecAsync(connection, null, sql, ct);

        var count = 0;
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT row_no, reason, other_row FROM import_conflict ORDER BY row_no";
            await using var r = await read.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                count++;
                var other = r.IsDBNull(2) ? 0 : Convert.ToInt32(r.GetValue(2));
                errors.Add(Convert.ToInt32(r.GetValue(0)), null, (Conflict)Convert.ToInt32(r.GetValue(1)) switch
                {
                    Conflict.DuplicateKey => $"Duplicate: row {other} has the same {(match == ImportMatch.ExternalId ? "external id" : "phone")}.",
                    Conflict.DuplicatePhone => $"Duplicate: row {other} has the same phone.",
                    Conflict.PhoneTaken => "This phone already belongs to another client.",
                    Conflict.ExternalIdTaken => "This external id already belongs to a client with another phone.",
                    Conflict.Erased => "This client's data was erased on request; it cannot be imported again.",
                    _ => "Conflict.",
                });
            }
        }
        await ExecAsync(connection, null, "DELETE FROM import_stage WHERE row_no IN (SELECT row_no FROM import_conflict)", ct);
        return count;
    }

    private async Task<(int Inserted, int Updated)> MergeAsync(DbConnection connection, StagingDialect dialect, ClientRowParser parser,
        ImportMatch match, string evidence, CancellationToken ct)
    {
        var (key, keyColumn) = match == ImportMatch.ExternalId ? ("external_id", "ExternalId") : ("phone", "Phone");
        var now = dialect.Time(Now);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var step = Stopwatch.StartNew();
        void Done(string what, int rows)
        {
            logger.LogInformation("Import merge ({Evidence}): {Step} {Rows} rows in {Ms} ms", evidence, what, rows, step.ElapsedMilliseconds);
            step.Restart();
        }

        var existing = await ExecAsync(connection, tx, $"""
            INSERT INTO import_existing (row_no, client_id, old_service, old_advertising)
            SELECT s.row_no, c."Id", c."ServiceConsentGranted", c."AdvertisingConsentGranted"
            FROM import_stage s JOIN "Clients" c ON c."{keyColumn}" = s.{key}
            """, ct);
        Done("matched", existing);

        // Only rows that change are rewritten: a CRM's daily full export is mostly unchanged rows,
        // and rewriting one costs a new row version and an entry in every index.
        var sets = new List<string>();
        var changes = new List<string>();
        var keyField = match == ImportMatch.ExternalId ? ClientField.ExternalId : ClientField.Phone;
        if (match == ImportMatch.ExternalId)
        {
            sets.Add("\"Phone\" = s.phone");
            sets.Add("\"Operator\" = s.operator");
            changes.Add("s.phone <> \"Clients\".\"Phone\"");
        }
        foreach (var column in ImportColumns.Clients)
        {
            // Replaced where the file maps the column and the cell has a value; never the key. The time zone
            // is also filled from the region.
            var kept = column.Field is { } field && field != keyField
                && (parser.Maps(field) || field == ClientField.TimeZone && parser.Maps(ClientField.Region));
            if (kept)
            {
                sets.Add($"\"{column.Client}\" = COALESCE(s.{column.Stage}, \"Clients\".\"{column.Client}\")");
                changes.Add($"(s.{column.Stage} IS NOT NULL AND s.{column.Stage} IS DISTINCT FROM \"Clients\".\"{column.Client}\")");
            }
        }
        foreach (var (field, prefix, stage) in new[] { (ClientField.ServiceConsent, "Service", "service_consent"), (ClientField.AdvertisingConsent, "Advertising", "advertising_consent") })
        {
            if (parser.Maps(field))
            {
                // SET expressions all see the old row, so "changed" compares against the value before this update.
                var changed = $"s.{stage} IS NOT NULL AND s.{stage} <> \"Clients\".\"{prefix}ConsentGranted\"";
                sets.Add($"\"{prefix}ConsentAt\" = CASE WHEN {changed} THEN @now ELSE \"Clients\".\"{prefix}ConsentAt\" END");
                sets.Add($"\"{prefix}ConsentSource\" = CASE WHEN {changed} THEN 'import' ELSE \"Clients\".\"{prefix}ConsentSource\" END");
                sets.Add($"\"{prefix}ConsentEvidence\" = CASE WHEN {changed} THEN @evidence ELSE \"Clients\".\"{prefix}ConsentEvidence\" END");
                sets.Add($"\"{prefix}ConsentGranted\" = COALESCE(s.{stage}, \"Clients\".\"{prefix}ConsentGranted\")");
                changes.Add($"({changed})");
            }
        }
        if (parser.AttributeColumns.Count > 0)
        {
            // A row whose only change is a custom attribute is an update too, so the counts add up.
            var (text, number, date, boolean) = dialect.AttributeValueSql;
            changes.Add($"""
                EXISTS (SELECT 1 FROM {dialect.AttributesOf("s")} WHERE NOT EXISTS (SELECT 1 FROM "ClientAttributes" x
                  WHERE x."ClientId" = "Clients"."Id" AND x."DefinitionId" = d."Id" AND x."Text" IS NOT DISTINCT FROM {text}
                    AND x."Number" IS NOT DISTINCT FROM {number} AND x."Date" IS NOT DISTINCT FROM {date} AND x."Boolean" IS NOT DISTINCT FROM {boolean}))
                """);
        }
        sets.Add("\"UpdatedAt\" = @now");
        var updated = await ExecAsync(connection, tx,
            $"UPDATE \"Clients\" SET {string.Join(", ", sets)} FROM import_stage s WHERE \"Clients\".\"{keyColumn}\" = s.{key}" +
            (changes.Count == 0 ? " AND FALSE" : $" AND ({string.Join(" OR ", changes)})"), ct, now, evidence);
        Done("updated", updated);

        // New clients, and (where the file maps a consent) their first consent record. PostgreSQL
        // takes the new ids from INSERT ... RETURNING; SQLite joins them back by key.
        var consents = new[] { (ClientField.ServiceConsent, 1, "service_consent", "old_service", "Service"), (ClientField.AdvertisingConsent, 2, "advertising_consent", "old_advertising", "Advertising") }
            .Where(x => parser.Maps(x.Item1)).ToList();
        var insertClients = $"""
            INSERT INTO "Clients" ({string.Join(", ", ImportColumns.Clients.Select(c => $"\"{c.Client}\""))},
              "ServiceConsentGranted", "ServiceConsentAt", "ServiceConsentSource", "ServiceConsentEvidence",
              "AdvertisingConsentGranted", "AdvertisingConsentAt", "AdvertisingConsentSource", "AdvertisingConsentEvidence",
              "CreatedAt", "UpdatedAt")
            SELECT {string.Join(", ", ImportColumns.Clients.Select(c => c.NewClientSql))},
              COALESCE(s.service_consent, FALSE), CASE WHEN s.service_consent IS NULL THEN NULL ELSE @now END,
              CASE WHEN s.service_consent IS NULL THEN NULL ELSE 'import' END, CASE WHEN s.service_consent IS NULL THEN NULL ELSE @evidence END,
              COALESCE(s.advertising_consent, FALSE), CASE WHEN s.advertising_consent IS NULL THEN NULL ELSE @now END,
              CASE WHEN s.advertising_consent IS NULL THEN NULL ELSE 'import' END, CASE WHEN s.advertising_consent IS NULL THEN NULL ELSE @evidence END,
              @now, @now
            FROM import_stage s WHERE NOT EXISTS (SELECT 1 FROM import_existing e WHERE e.row_no = s.row_no)
            """;
        int inserted;
        if (dialect.SupportsDmlInCte)
        {
            var records = string.Concat(consents.Select(x => $"""
                , c{x.Item2} AS (INSERT INTO "ConsentRecords" ("ClientId", "Purpose", "Granted", "At", "Source", "Evidence")
                  SELECT "Id", {x.Item2}, "{x.Item5}ConsentGranted", @now, 'import', @evidence FROM ins WHERE "{x.Item5}ConsentSource" = 'import')
                """));
            inserted = await ScalarAsync(connection, tx, $"""
                WITH ins AS ({insertClients}
                  RETURNING "Id", "ServiceConsentGranted", "ServiceConsentSource", "AdvertisingConsentGranted", "AdvertisingConsentSource")
                {records}
                SELECT count(*) FROM ins
                """, ct, now, evidence);
        }
        else
        {
            inserted = await ExecAsync(connection, tx, insertClients, ct, now, evidence);
            foreach (var (_, purpose, stage, _, _) in consents)
            {
                await ExecAsync(connection, tx, $"""
                    INSERT INTO "ConsentRecords" ("ClientId", "Purpose", "Granted", "At", "Source", "Evidence")
                    SELECT c."Id", {purpose}, s.{stage}, @now, 'import', @evidence
                    FROM import_stage s JOIN "Clients" c ON c."{keyColumn}" = s.{key}
                    WHERE s.{stage} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM import_existing e WHERE e.row_no = s.row_no)
                    """, ct, now, evidence);
            }
        }
        Done("inserted", inserted);

        // The consent trail of matched clients: one record per purpose whose value changed.
        foreach (var (_, purpose, stage, old, _) in consents)
        {
            await ExecAsync(connection, tx, $"""
                INSERT INTO "ConsentRecords" ("ClientId", "Purpose", "Granted", "At", "Source", "Evidence")
                SELECT e.client_id, {purpose}, s.{stage}, @now, 'import', @evidence
                FROM import_existing e JOIN import_stage s ON s.row_no = e.row_no
                WHERE s.{stage} IS NOT NULL AND e.{old} <> s.{stage}
                """, ct, now, evidence);
        }
        Done("consent changes", consents.Count);
        if (parser.Maps(ClientField.Tags))
        {
            await ExecAsync(connection, tx, $"""
                DELETE FROM "ClientTags" WHERE "ClientId" IN
                  (SELECT c."Id" FROM import_stage s JOIN "Clients" c ON c."{keyColumn}" = s.{key} WHERE s.tags IS NOT NULL);
                INSERT INTO "ClientTags" ("ClientId", "Tag")
                  SELECT DISTINCT c."Id", t.tag FROM ({dialect.ExpandTagsSql}) t
                  JOIN import_stage s ON s.row_no = t.row_no JOIN "Clients" c ON c."{keyColumn}" = s.{key};
                """, ct);
        }
        if (parser.AttributeColumns.Count > 0)
        {
            // Issue 20: custom attributes, set-based like the rest: one upsert for every value of the
            // file, an unchanged value not rewritten. An empty cell leaves the stored value, as for fields.
            var (text, number, date, boolean) = dialect.AttributeValueSql;
            var attributes = await ExecAsync(connection, tx, $"""
                INSERT INTO "ClientAttributes" ("ClientId", "DefinitionId", "Text", "Number", "Date", "Boolean")
                SELECT c."Id", d."Id", {text}, {number}, {date}, {boolean}
                FROM import_stage s JOIN "Clients" c ON c."{keyColumn}" = s.{key}
                  CROSS JOIN {dialect.AttributesOf("s")}
                WHERE s.attrs IS NOT NULL
                ON CONFLICT ("ClientId", "DefinitionId") DO UPDATE SET "Text" = excluded."Text", "Number" = excluded."Number",
                  "Date" = excluded."Date", "Boolean" = excluded."Boolean"
                WHERE "ClientAttributes"."Text" IS DISTINCT FROM excluded."Text" OR "ClientAttributes"."Number" IS DISTINCT FROM excluded."Number"
                  OR "ClientAttributes"."Date" IS DISTINCT FROM excluded."Date" OR "ClientAttributes"."Boolean" IS DISTINCT FROM excluded."Boolean"
                """, ct);
            Done("attribute values", attributes);
        }
        await tx.CommitAsync(ct);
        Done("committed", 0);
        return (inserted, updated);
    }

    private static async Task<int> ExecAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken ct, object? now = null, string? evidence = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.CommandTimeout = 0; // a 1.9 M-row merge takes tens of seconds; the token cancels it
        if (now is not null)
        {
            Add(command, "now", now);
            Add(command, "evidence", evidence ?? "");
        }
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<int> ScalarAsync(DbConnection connection, DbTransaction tx, string sql, CancellationToken ct, object now, string evidence)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.CommandTimeout = 0;
        Add(command, "now", now);
        Add(command, "evidence", evidence);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct));
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private async Task<ImportJob> FinishFailedAsync(int jobId, int total, int rejected, string error) =>
        await UpdateJobAsync(jobId, j => j.Fail(total, rejected, error, Now));

    private async Task<ImportJob> UpdateJobAsync(int jobId, Action<ImportJob> change)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var job = await db.ImportJobs.SingleAsync(j => j.Id == jobId);
        change(job);
        await db.SaveChangesAsync();
        return job;
    }

    /// <summary>Row errors, written in batches through their own context; beyond the cap only counted. Without a job, handed to <paramref name="handOver"/>.</summary>
    private sealed class ErrorSink(IDbContextFactory<PortalDbContext> contexts, int? jobId, Action<int, string?, string>? handOver = null)
    {
        private readonly List<ImportRowError> _pending = [];
        private int _stored;

        public void Add(int row, string? column, string reason)
        {
            handOver?.Invoke(row, column, reason);
            if (jobId is { } id && _stored + _pending.Count < MaxStoredErrors)
            {
                _pending.Add(new ImportRowError(id, row, column, reason));
            }
        }

        public async Task FlushAsync()
        {
            if (_pending.Count == 0)
            {
                return;
            }
            await using var db = await contexts.CreateDbContextAsync();
            db.ImportRowErrors.AddRange(_pending);
            await db.SaveChangesAsync();
            _stored += _pending.Count;
            _pending.Clear();
        }
    }
}
