using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Imports;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Integrations.Sync;

/// <summary>
/// Runs one sync of a source: reads the rows past its watermark, applies them and records a
/// <see cref="SyncRun"/>. Clients go through <see cref="ClientImporter"/> (staging, conflict
/// checks, one merge transaction; matched by external id, valid rows only); events through
/// <see cref="ClientEventIngestion"/> in batches inside one transaction. A run that fails applies
/// nothing and leaves the watermark where it was.
/// </summary>
public sealed class SyncRunner(
    IDbContextFactory<PortalDbContext> contexts,
    ClientImporter importer,
    ClientEventIngestion events,
    StaffDirectory staff,
    SyncSecrets secrets,
    IHttpClientFactory http,
    IOptions<SyncOptions> options,
    TimeProvider clock,
    ILogger<SyncRunner> logger,
    IOptions<DatabaseOptions>? portalDatabase = null)
{
    public const string HttpClientName = "Portal.Sync";

    /// <summary>The sync's HTTP handler: a redirect is an answer, never followed (it could point inside the network).</summary>
    public static HttpMessageHandler CreateHttpHandler() => new SocketsHttpHandler { AllowAutoRedirect = false };

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <returns>
    /// The finished run; the other node's unfinished run when one is running (issue 13: one run
    /// per source across nodes, nothing done here); null when the source no longer exists.
    /// </returns>
    public async Task<SyncRun?> RunAsync(int sourceId, CancellationToken ct)
    {
        SyncSource? source;
        SyncRun run;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            if (!await db.SyncSources.AnyAsync(s => s.Id == sourceId, ct))
            {
                return null;
            }
            // A run a dead node left unfinished would hold the source forever: closed once it is
            // older than any live run can be.
            var abandonedBefore = Now - options.Value.AbandonedRunAfter;
            await db.SyncRuns.Where(r => r.SourceId == sourceId && r.FinishedAt == null && r.StartedAt < abandonedBefore)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.FinishedAt, Now).SetProperty(r => r.Succeeded, false)
                    .SetProperty(r => r.Error, "Abandoned: the node running it stopped before it finished."), ct);
            run = new SyncRun(sourceId, Now);
            db.SyncRuns.Add(run);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation())
            {
                // Another node (or this one) is running this source: the unique index on unfinished runs admits one.
                db.ChangeTracker.Clear();
                var running = await db.SyncRuns.AsNoTracking().FirstOrDefaultAsync(r => r.SourceId == sourceId && r.FinishedAt == null, ct);
                logger.LogInformation("Sync of source {SourceId} skipped: run {RunId} is already running", sourceId, running?.Id);
                return running;
            }
            // Read after the run row is ours, so the watermark is the one the previous run left.
            source = await db.SyncSources.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sourceId, ct);
            if (source is null)
            {
                return null;
            }
        }

        var watch = Stopwatch.StartNew();
        var (read, upserted, rejected) = (0, 0, 0);
        var rowErrors = new SyncRowErrors();
        string? error = null;
        try
        {
            var mapping = SyncMapping.Parse(source.MappingJson, source.Target);
            var endpoint = secrets.Unprotect(source.Location);
            // Issue 20: re-read the overlap only where a row applied twice changes nothing.
            var overlap = source.Target is SyncTarget.Clients or SyncTarget.Employees || mapping.IndexOf(EventField.EventId) is not null ? source.OverlapMinutes : 0;
            await using var rows = await OpenAsync(source, endpoint, mapping.Columns, SyncWatermark.ReadFrom(source.Watermark, overlap), ct);
            if (source.Target == SyncTarget.Clients)
            {
                var plan = new ImportPlan(mapping.ClientFields(), ImportMode.ValidRowsOnly, ImportMatch.ExternalId, $"sync #{source.Id}: {source.Name}")
                {
                    // Issue 20: typed custom attributes, checked and stored as the file import does.
                    AttributeColumns = mapping.AttributeColumns(),
                    OnRowError = rowErrors.Add,
                };
                var outcome = await importer.RunAsync(rows, plan, ct);
                (read, upserted, rejected) = (rows.RowsRead, outcome.Upserted, outcome.Rejected);
                // After the merge committed. A crash right here re-reads these rows next time: the upsert is idempotent.
                await AdvanceWatermarkAsync(sourceId, source.Watermark, rows.MaxWatermark, ct);
            }
            else if (source.Target == SyncTarget.Employees)
            {
                // Issue 17: the staff directory from an HR database; bad rows rejected, the rest applied, matched on the phone.
                var outcome = await staff.ApplyAsync(EmployeeRows(mapping, rows), () => rows.BadRows, allOrNothing: false,
                    "sync", $"sync #{source.Id}", ct, (row, reason) => rowErrors.Add(row, null, reason));
                (read, upserted, rejected) = (rows.RowsRead, outcome.Added + outcome.Updated, outcome.Rejected);
                await AdvanceWatermarkAsync(sourceId, source.Watermark, rows.MaxWatermark, ct);
            }
            else
            {
                (upserted, rejected) = await IngestEventsAsync(source, mapping, rows, rowErrors, ct);
                read = rows.RowsRead;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            error = "Cancelled: the application was stopping. Nothing was applied.";
        }
        catch (Exception e)
        {
            error = Describe(e);
            if (e is not (InvalidDataException or DomainException))
            {
                // The history shows the cause in words; the exception (whose text can name hosts,
                // tables or a row's values) goes to the log under the run's id, quoted in the history.
                logger.LogError(e, "Sync of source {SourceId} (run {RunId}) failed", sourceId, run.Id);
                error += $" Details are in the log under run {run.Id}.";
            }
        }

        await using (var db = await contexts.CreateDbContextAsync(CancellationToken.None))
        {
            db.SyncRuns.Attach(run);
            run.Finish(read, error is null ? upserted : 0, error is null ? rejected : 0, error, Now, rowErrors.Kept);
            await db.SaveChangesAsync(CancellationToken.None);
        }
        Telemetry.PortalMetrics.RecordSync(run.Upserted, run.Rejected);
        logger.LogInformation("Sync of source {SourceId} (run {RunId}): {Read} read, {Upserted} upserted, {Rejected} rejected in {Seconds:F1} s{Failed}",
            sourceId, run.Id, read, run.Upserted, run.Rejected, watch.Elapsed.TotalSeconds, error is null ? "" : " — failed");
        return run;
    }

    /// <param name="readFrom">The watermark the query reads past: the stored one, less the overlap.</param>
    private async Task<SyncRowSource> OpenAsync(SyncSource source, SyncEndpoint endpoint, IReadOnlyList<string> columns, string? readFrom, CancellationToken ct)
    {
        switch (source.Kind)
        {
            case SyncSourceKind.Postgres:
                CheckPostgres(endpoint.ConnectionString, source.Query);
                return await PostgresRowSource.OpenAsync(endpoint.ConnectionString ?? "", source.Query, source.WatermarkColumn, readFrom,
                    columns, options.Value.StatementTimeout, ct);
            case SyncSourceKind.HttpJson:
                if (!Uri.TryCreate(endpoint.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                    throw new InvalidDataException("The source URL is not an absolute http(s) URL.");
                if (options.Value.CheckHost(uri.Host) is { } refused) throw new InvalidDataException(refused);
                var client = http.CreateClient(HttpClientName);
                return await HttpJsonRowSource.OpenAsync(client, endpoint.Url ?? "", endpoint.Token, source.WatermarkColumn, readFrom, columns, ct);
            default:
                throw new InvalidDataException($"Unknown source kind {source.Kind}.");
        }
    }

    /// <summary>Issue 14: one read-only statement, an allowed host, and never the portal's own database.</summary>
    private void CheckPostgres(string? connectionString, string query)
    {
        if (SyncQueryGuard.Check(query) is { } bad) throw new InvalidDataException(bad);
        Npgsql.NpgsqlConnectionStringBuilder source;
        try
        {
            source = new Npgsql.NpgsqlConnectionStringBuilder(connectionString ?? "");
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The connection string cannot be read: {e.Message}");
        }
        // Several hosts (failover lists) are each checked.
        foreach (var host in (source.Host ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (options.Value.CheckHost(host.Split(':')[0]) is { } refused) throw new InvalidDataException(refused);
        }
        if (portalDatabase?.Value is { Provider: DatabaseProvider.Postgres, ConnectionString: { Length: > 0 } own } && SameDatabase(source, new Npgsql.NpgsqlConnectionStringBuilder(own)))
        {
            throw new InvalidDataException("The source is Portal's own database: a sync reads other systems only.");
        }
    }

    private static bool SameDatabase(Npgsql.NpgsqlConnectionStringBuilder a, Npgsql.NpgsqlConnectionStringBuilder b)
    {
        static string Norm(string? host) => (host ?? "").Trim().ToLowerInvariant() is "localhost" or "127.0.0.1" or "::1" or "" ? "loopback" : host!.Trim().ToLowerInvariant();
        var hostsA = (a.Host ?? "").Split(',').Select(h => Norm(h.Split(':')[0]));
        var hostsB = (b.Host ?? "").Split(',').Select(h => Norm(h.Split(':')[0]));
        return hostsA.Intersect(hostsB).Any() && a.Port == b.Port
            && string.Equals(a.Database ?? a.Username, b.Database ?? b.Username, StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 13: a compare-and-set from the watermark this run started from. A run overtaken by
    /// another (its lease lapsed) finds a different value and leaves it: a watermark only moves
    /// forward, since a run's highest row is past the value it read rows after.
    /// </summary>
    private async Task AdvanceWatermarkAsync(int sourceId, string? from, string? to, CancellationToken ct)
    {
        if (to is null || to == from || !SyncWatermark.IsPast(to, from))
        {
            return;
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.SyncSources.Where(s => s.Id == sourceId && s.Watermark == from).ExecuteUpdateAsync(u => u.SetProperty(s => s.Watermark, to), ct) == 0)
        {
            logger.LogWarning("Sync of source {SourceId}: another run moved the watermark first; left where it is", sourceId);
        }
    }

    private static IEnumerable<(int Row, EmployeeCells Cells)> EmployeeRows(SyncMapping mapping, SyncRowSource rows)
    {
        var (phone, name, email, department, position, location, zone, active) = (mapping.IndexOf(EmployeeField.Phone), mapping.IndexOf(EmployeeField.Name),
            mapping.IndexOf(EmployeeField.Email), mapping.IndexOf(EmployeeField.Department), mapping.IndexOf(EmployeeField.Position),
            mapping.IndexOf(EmployeeField.Location), mapping.IndexOf(EmployeeField.TimeZone), mapping.IndexOf(EmployeeField.Active));
        foreach (var cells in rows.Rows())
        {
            string? Get(int? i) => i is { } k ? cells[k] : null;
            yield return (rows.CurrentRow, new EmployeeCells(Get(name), Get(phone), Get(email), Get(department), Get(position), Get(location), Get(zone), Get(active)));
        }
    }

    /// <summary>All batches and the watermark in one transaction: a failing run leaves no events behind.</summary>
    private async Task<(int Accepted, int Rejected)> IngestEventsAsync(SyncSource source, SyncMapping mapping, SyncRowSource rows, SyncRowErrors rowErrors,
        CancellationToken ct)
    {
        var (externalId, type, name, amount, occurredAt) = (mapping.IndexOf(EventField.ExternalId)!.Value, mapping.IndexOf(EventField.Type)!.Value,
            mapping.IndexOf(EventField.Name), mapping.IndexOf(EventField.Amount), mapping.IndexOf(EventField.OccurredAt)!.Value);
        var eventId = mapping.IndexOf(EventField.EventId);
        var eventSource = ClientEvent.SyncSource(source.Id);
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var batch = new List<IncomingEvent>();
        var (accepted, rejected) = (0, 0);

        async Task FlushAsync()
        {
            if (batch.Count > 0)
            {
                var result = await events.IngestInTransactionAsync(db, batch, [], atomic: false, ct, eventSource);
                accepted += result.Accepted;
                rejected += result.Errors.Select(e => e.Index).Distinct().Count();
                foreach (var e in result.Errors)
                {
                    rowErrors.Add(e.Index, e.Field, e.Reason);
                }
            }
            batch.Clear();
        }

        foreach (var cells in rows.Rows())
        {
            // The event's index is the row's position, so the ingestion's errors name the row.
            var problem = ParseEvent(cells, externalId, type, name, amount, occurredAt, eventId, rows.CurrentRow, out var incoming);
            if (problem is not null)
            {
                rejected++;
                rowErrors.Add(rows.CurrentRow, problem.Column, problem.Reason);
                continue;
            }
            batch.Add(incoming!);
            if (batch.Count >= options.Value.EventBatchSize)
            {
                await FlushAsync();
            }
        }
        await FlushAsync();
        rejected += rows.BadRows.Count;
        foreach (var (row, reason) in rows.BadRows)
        {
            rowErrors.Add(row, null, reason);
        }
        // Issue 13: the events commit only if the watermark is still the one this run read rows
        // after (compare-and-set, also when it does not move: the row lock orders racing runs). A
        // run that lost the race rolls back, so a range of source rows is stored once, and the
        // watermark never moves backwards.
        var (from, to) = (source.Watermark, rows.MaxWatermark ?? source.Watermark);
        if (!SyncWatermark.IsPast(to, from))
        {
            to = from; // an overlap re-read only rows before it: the watermark never moves back
        }
        if (await db.SyncSources.Where(s => s.Id == source.Id && s.Watermark == from).ExecuteUpdateAsync(u => u.SetProperty(s => s.Watermark, to), ct) == 0)
        {
            throw new SyncOvertakenException();
        }
        await tx.CommitAsync(ct);
        return (accepted, rejected);
    }

    /// <returns>Why the row is refused (the field, and the problem in words without the value); null when <paramref name="incoming"/> is set.</returns>
    private static RowError? ParseEvent(string?[] cells, int externalId, int type, int? name, int? amount, int occurredAt, int? eventId, int index,
        out IncomingEvent? incoming)
    {
        incoming = null;
        var id = cells[externalId]?.Trim();
        if (string.IsNullOrEmpty(id) || id.Length > 64)
        {
            return new("externalId", "The external id is empty or longer than 64 characters.");
        }
        if (!Enum.TryParse<ClientEventType>(cells[type]?.Trim(), true, out var kind) || !Enum.IsDefined(kind))
        {
            return new("type", "Not a known event type.");
        }
        if (ClientRowParser.ParseDate(cells[occurredAt]?.Trim() ?? "") is not { } at)
        {
            return new("occurredAt", "Not a date (YYYY-MM-DD, DD.MM.YYYY or ISO 8601).");
        }
        decimal? sum = null;
        if (amount is { } a && !string.IsNullOrWhiteSpace(cells[a]))
        {
            if (!decimal.TryParse(cells[a], NumberStyles.Number, CultureInfo.InvariantCulture, out var v))
            {
                return new("amount", "Not an amount.");
            }
            sum = Math.Round(v, 2);
        }
        var label = name is { } n ? cells[n]?.Trim() : null;
        if (label is { Length: > 100 })
        {
            return new("name", "The name is longer than 100 characters.");
        }
        var key = eventId is { } k ? cells[k]?.Trim() : null;
        if (key is { Length: > ClientEvent.MaxEventKeyLength })
        {
            return new("eventId", $"The event id is longer than {ClientEvent.MaxEventKeyLength} characters.");
        }
        incoming = new IncomingEvent(index, id, kind, string.IsNullOrEmpty(label) ? null : label, sum, at, null, string.IsNullOrEmpty(key) ? null : key);
        return null;
    }

    /// <summary>
    /// What the run history shows: the cause, never the exception's own text (issue 14: a
    /// PostgreSQL error can quote a row's values, a socket error the internal host).
    /// </summary>
    internal static string Describe(Exception e) => e switch
    {
        InvalidDataException or DomainException or SyncOvertakenException => e.Message,
        // Class 42 (syntax, unknown table or column, permission) names only the query's objects,
        // which the administrator wrote and needs to see; other classes (22 data, 23 constraints)
        // quote row values, so only their code is shown.
        PostgresException p when p.SqlState.StartsWith("42", StringComparison.Ordinal) => $"The source database refused the query: {p.SqlState} {p.MessageText}",
        PostgresException p => $"The source database refused the query (SQLSTATE {p.SqlState}).",
        NpgsqlException n when n.InnerException is SocketException or TimeoutException => "Could not reach the source database.",
        NpgsqlException => "The source database failed.",
        HttpRequestException h => h.StatusCode is { } status
            ? $"Could not reach the endpoint: it answered HTTP {(int)status}."
            : "Could not reach the endpoint.",
        TaskCanceledException or TimeoutException => "The source did not answer in time.",
        JsonException => "The endpoint's answer is not a JSON array of objects.",
        _ => $"Internal error ({e.GetType().Name}).",
    };
}

/// <summary>Another run of the same source committed first (issue 13): this run applies nothing.</summary>
internal sealed class SyncOvertakenException() : Exception("Another run of this source moved the watermark first: nothing was applied, those rows are stored once by that run.");
