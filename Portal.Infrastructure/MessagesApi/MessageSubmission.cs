using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Templates;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;

namespace Portal.Infrastructure.MessagesApi;

/// <summary>One message of a send request, as read from JSON (format checks already done).</summary>
public sealed record SendItem(int Index, string? Phone, string? ExternalId, string? Text, int? TemplateId,
    IReadOnlyDictionary<string, string>? Variables, MessagePurpose Purpose, string? SenderId, int? ProviderId, TimeSpan? Validity);

/// <summary>What became of one item: accepted (with its message id) or refused for the recipient's sake.</summary>
public sealed record SendItemResult(int Index, long? Id, string Status, string? Reason, string? Detail);

public abstract record SubmitResult
{
    /// <summary>400: nothing was sent (all-or-nothing on validation errors).</summary>
    public sealed record Invalid(IReadOnlyList<BatchItemError> Errors) : SubmitResult;
    /// <summary>202 (or, replayed, the first answer's body).</summary>
    public sealed record Accepted(string Json, bool Replayed, IReadOnlyList<long> MessageIds) : SubmitResult;
    /// <summary>422: every item was refused (opt-out, no consent, unknown client).</summary>
    public sealed record AllRefused(IReadOnlyList<SendItemResult> Items) : SubmitResult;
    /// <summary>429: the key's daily quota is used up.</summary>
    public sealed record QuotaExceeded(int Quota, TimeSpan RetryAfter) : SubmitResult;
    /// <summary>422: the Idempotency-Key was used before with another body.</summary>
    public sealed record KeyReused : SubmitResult;
}

/// <summary>
/// Accepts send-API requests (issue 19): validates every item against the database (templates,
/// variables, providers, sender ids) and refuses the whole request on any error; resolves the
/// recipients (one query), refuses per item those opted out, without consent or unknown; then
/// atomically records the idempotency key, the Message and PriorityMessage rows and the daily
/// usage, and after that publishes the ids to the priority lane (<see cref="PriorityPublisher"/>,
/// which coalesces concurrent requests into one bus message). A publish that fails after the
/// commit is repaired by the priority sweep, so a 202 always means the messages are durable.
/// Round trips (issue 19's 1,000/s target): the enabled providers are cached (<see cref="ProviderCacheFor"/>,
/// dropped at once on a provider change on this node); on PostgreSQL the Message and
/// PriorityMessage rows are ONE statement, and a request without idempotency key, new contact or
/// quota needs no explicit transaction and no context of its own: its recipient look-up and its
/// INSERT join those of the requests running at the same time (group commit through
/// <see cref="Coalescer{TIn,TOut}"/>: one query and one statement per batch, not per request).
/// </summary>
public sealed partial class MessageSubmission(
    IDbContextFactory<PortalDbContext> contexts,
    PriorityPublisher publisher,
    TemplateEngine engine,
    TimeProvider clock,
    IOptions<MessagesApiOptions> options,
    ProviderRegistryVersion providerVersion,
    ILogger<MessageSubmission> logger)
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// How long the enabled providers' sender ids are reused without a query. A change through the
    /// admin screens on this node drops them at once (<see cref="ProviderRegistryVersion"/>); one on
    /// another node is seen within this time, like the router's own cache.
    /// </summary>
    public static readonly TimeSpan ProviderCacheFor = TimeSpan.FromSeconds(1);

    private sealed record ProviderCache(IReadOnlyDictionary<int, IReadOnlyList<string>> SenderIds, long LoadedAt, int Version);
    private volatile ProviderCache? _providers;
    private bool? _postgres;

    /// <summary>Concurrent requests' recipient look-ups, one query for all (<see cref="Coalescer{TIn,TOut}"/>).</summary>
    private Coalescer<ClientQuery, IReadOnlyList<Client>> Lookups => _lookups ??= new(LookUpAsync, 20_000, q => q.Phones.Count + q.ExternalIds.Count);
    private Coalescer<ClientQuery, IReadOnlyList<Client>>? _lookups;

    /// <summary>Concurrent requests' rows on the plain path (PostgreSQL, no key, contact or quota), one INSERT for all.</summary>
    private Coalescer<IReadOnlyList<NewMessage>, IReadOnlyList<long>> Inserts => _inserts ??= new(InsertBatchAsync, 5_000, rows => rows.Count);
    private Coalescer<IReadOnlyList<NewMessage>, IReadOnlyList<long>>? _inserts;

    /// <summary>Recipient look-ups run so far (batches) and message INSERTs run on the plain path, for the bench.</summary>
    public (long LookUps, long Inserts) Batches => (_lookups?.Batches ?? 0, _inserts?.Batches ?? 0);

    /// <summary>Tag of the contacts created for service messages to phones not in the base.</summary>
    public const string ContactTag = "api-contact";

    public async Task<SubmitResult> SubmitAsync(int apiKeyId, int? dailyQuota, IReadOnlyList<SendItem> items, string? idempotencyKey, string requestHash, CancellationToken ct,
        IReadOnlyList<BatchItemError>? formatErrors = null)
    {
        try
        {
            return await SubmitOnceAsync(apiKeyId, dailyQuota, items, idempotencyKey, requestHash, ct, formatErrors);
        }
        catch (ContactRaceException)
        {
            // A concurrent request created the same new contact first: this time the lookup finds it.
            return await SubmitOnceAsync(apiKeyId, dailyQuota, items, idempotencyKey, requestHash, ct, formatErrors);
        }
    }

    private sealed class ContactRaceException : Exception;

    private async Task<SubmitResult> SubmitOnceAsync(int apiKeyId, int? dailyQuota, IReadOnlyList<SendItem> items, string? idempotencyKey, string requestHash, CancellationToken ct,
        IReadOnlyList<BatchItemError>? formatErrors)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        // A context only when this request needs one of its own: on the plain path (text, no key,
        // known recipients) the shared look-up and INSERT batches do all of its database work.
        await using var lazy = new LazyContext(contexts);

        if (idempotencyKey is not null && await ReplayAsync(await lazy.GetAsync(ct), apiKeyId, idempotencyKey, requestHash, ct) is { } replay) return replay;

        // Format errors found while reading JSON are reported together with these, so one 400 names every bad item.
        var errors = new List<BatchItemError>(formatErrors ?? []);
        var templates = await LoadTemplatesAsync(lazy, items, errors, ct);
        CheckProviders(await EnabledProvidersAsync(lazy, ct), items, errors, o);

        var phones = items.Where(i => i.Phone is not null).Select(i => i.Phone!).Distinct().ToList();
        var externals = items.Where(i => i.ExternalId is not null).Select(i => i.ExternalId!).Distinct().ToList();
        var clients = phones.Count + externals.Count == 0 ? [] : await Lookups.RunAsync(new ClientQuery(phones, externals), ct);
        var byPhone = clients.ToDictionary(c => c.Phone, StringComparer.Ordinal);
        var byExternal = clients.Where(c => c.ExternalId is not null).GroupBy(c => c.ExternalId!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        var accepted = new List<(SendItem Item, Client Client, string Text, string Sender, TimeSpan Validity)>();
        var results = new SendItemResult?[items.Count == 0 ? 0 : items.Max(i => i.Index) + 1];
        // Service messages may go to a phone that is not in the base (a one-time code before sign-up):
        // it becomes a contact (phone only, tagged api-contact, no consent), so the message has a card
        // with its history, a STOP from that phone opts it out, and erasure and retention apply.
        // Advertising never goes to an unknown phone: no consent can exist for it.
        var contacts = new Dictionary<string, Client>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var client = item.Phone is not null ? byPhone.GetValueOrDefault(item.Phone) : byExternal.GetValueOrDefault(item.ExternalId!);
            if (client is null && item.Phone is not null && item.Purpose == MessagePurpose.Service)
            {
                if (!contacts.TryGetValue(item.Phone, out client))
                {
                    client = new Client(PhoneNumber.FromTrusted(item.Phone), null, null, now);
                    contacts[item.Phone] = client;
                }
            }
            string text;
            if (item.TemplateId is { } tid)
            {
                if (!templates.TryGetValue(tid, out var template)) continue; // already an error
                var missing = template.Variables.Where(v => item.Variables?.ContainsKey(v) != true).ToList();
                if (missing.Count > 0)
                {
                    errors.Add(new BatchItemError(item.Index, item.ExternalId, "variables." + missing[0], $"The template needs the variable '{missing[0]}'."));
                    continue;
                }
                if (client is null)
                {
                    text = "";
                }
                else
                {
                    try
                    {
                        text = template.Compiled.Render(client, item.Variables, new CampaignMergeFields("", item.SenderId ?? o.DefaultSenderId, now)).Text;
                    }
                    catch (TemplateRenderException e)
                    {
                        errors.Add(new BatchItemError(item.Index, item.ExternalId, "templateId", e.Message));
                        continue;
                    }
                }
            }
            else
            {
                text = item.Text!;
            }
            if (client is not null && CheckText(item, text, errors)) continue;
            if (client is null)
            {
                results[item.Index] = item.Phone is not null
                    ? new SendItemResult(item.Index, null, "refused", "no-consent",
                        "No client has this phone number, so it has no advertising consent: advertising goes only to clients who consented. Service messages may go to any phone.")
                    : new SendItemResult(item.Index, null, "refused", "unknown-client", "No client has this external id.");
                continue;
            }
            if (client.Status != ClientStatus.Active || client.OptedOutAt is not null
                || (item.Purpose == MessagePurpose.Advertising && !client.AdvertisingConsent.Granted))
            {
                var reason = client.OptedOutAt is not null ? "opted-out" : client.Status != ClientStatus.Active ? "inactive" : "no-consent";
                results[item.Index] = new SendItemResult(item.Index, null, "refused", reason, reason switch
                {
                    "opted-out" => "The client opted out of messages.",
                    "inactive" => "The client is not active.",
                    _ => "The client has not consented to advertising.",
                });
                continue;
            }
            accepted.Add((item, client, text, item.SenderId ?? o.DefaultSenderId, item.Validity ?? o.DefaultValidity));
        }
        if (errors.Count > 0) return new SubmitResult.Invalid(errors.OrderBy(e => e.Index).ToList());
        if (accepted.Count == 0 && items.Count == 0) return new SubmitResult.Invalid([]);
        if (accepted.Count == 0) return new SubmitResult.AllRefused(results.OfType<SendItemResult>().ToList());

        var postgres = _postgres ??= (await lazy.GetAsync(ct)).Database.IsNpgsql();
        var newContacts = accepted.Select(a => a.Client).Where(c => c.Id == 0).Distinct().ToList();
        if (postgres && idempotencyKey is null && newContacts.Count == 0 && dailyQuota is null)
        {
            // The plain path: the rows of the messages are one statement, atomic on its own, shared
            // with the requests accepted meanwhile.
            var plain = await Inserts.RunAsync(Rows(accepted, apiKeyId, now), ct);
            return await PublishedAsync(Response(accepted, plain, results), plain, ct);
        }
        var db = await lazy.GetAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Any failure rolls the whole transaction back, so EF's savepoint around each SaveChanges
        // would only add two round trips per save (seen as most of the statements under load).
        db.Database.AutoSavepointsEnabled = false;
        ApiIdempotencyKey? keyRow = null;
        if (idempotencyKey is not null)
        {
            keyRow = new ApiIdempotencyKey(apiKeyId, idempotencyKey, requestHash, now);
            db.ApiIdempotencyKeys.Add(keyRow);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation())
            {
                // A concurrent twin committed first (PostgreSQL waited for it on the unique index): answer as it did.
                await transaction.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                return await ReplayAsync(db, apiKeyId, idempotencyKey, requestHash, ct) ?? throw new InvalidOperationException("Idempotency key row vanished.");
            }
        }
        if (newContacts.Count > 0)
        {
            db.Clients.AddRange(newContacts);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation())
            {
                await transaction.RollbackAsync(ct);
                throw new ContactRaceException();
            }
            db.ClientTags.AddRange(newContacts.Select(c => new ClientTag(c.Id, ContactTag)));
        }
        var rows = Rows(accepted, apiKeyId, now);
        var ids = postgres ? await InsertPostgresAsync(db, rows, ct) : await InsertAsync(db, rows, ct);
        var json = Response(accepted, ids, results);
        if (keyRow is not null) keyRow.ResponseJson = json;
        if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(ct);
        // Last, so the usage row (one per key and day, a hot row under load) is locked only for the commit.
        if (dailyQuota is { } quota && !await CountAsync(db, apiKeyId, DateOnly.FromDateTime(now), accepted.Count, quota, ct))
        {
            await transaction.RollbackAsync(ct);
            return new SubmitResult.QuotaExceeded(quota, now.Date.AddDays(1) - now);
        }
        await transaction.CommitAsync(ct);
        return await PublishedAsync(json, ids, ct);
    }

    private static List<NewMessage> Rows(List<(SendItem Item, Client Client, string Text, string Sender, TimeSpan Validity)> accepted, int apiKeyId, DateTime now) =>
        accepted.Select(a => new NewMessage(a.Client.Id, a.Client.Phone, a.Text, a.Sender, a.Item.ProviderId, a.Item.Purpose,
            now + a.Validity, a.Item.TemplateId, apiKeyId, now)).ToList();

    private static string Response(List<(SendItem Item, Client Client, string Text, string Sender, TimeSpan Validity)> accepted, IReadOnlyList<long> ids, SendItemResult?[] results)
    {
        for (var i = 0; i < accepted.Count; i++)
        {
            results[accepted[i].Item.Index] = new SendItemResult(accepted[i].Item.Index, ids[i], "queued", null, null);
        }
        return JsonSerializer.Serialize(new SendResponse(accepted.Count, results.Count(r => r?.Status == "refused"), results.Select(r => r!).ToList()), Web);
    }

    /// <summary>The answer once the rows are committed: the ids go to the priority lane first.</summary>
    private async Task<SubmitResult> PublishedAsync(string json, IReadOnlyList<long> ids, CancellationToken ct)
    {
        try
        {
            await publisher.PublishAsync(ids, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The rows are committed: the priority sweep publishes them again shortly.
            logger.LogWarning("Publishing {Count} accepted API messages failed, the sweep will retry: {Error}", ids.Count, e.Message);
        }
        return new SubmitResult.Accepted(json, false, ids);
    }

    private sealed record NewMessage(long ClientId, string Phone, string Text, string Sender, int? ProviderId, MessagePurpose Purpose,
        DateTime ExpiresAt, int? TemplateId, int ApiKeyId, DateTime CreatedAt);

    private sealed record ClientQuery(IReadOnlyList<string> Phones, IReadOnlyList<string> ExternalIds);

    /// <summary>The recipients of many requests in one query; each request gets the clients of its own phones and external ids.</summary>
    private async Task<IReadOnlyList<IReadOnlyList<Client>>> LookUpAsync(IReadOnlyList<ClientQuery> queries)
    {
        var phones = queries.SelectMany(q => q.Phones).Distinct().ToList();
        var externals = queries.SelectMany(q => q.ExternalIds).Distinct().ToList();
        await using var db = await contexts.CreateDbContextAsync();
        var clients = await db.Clients.AsNoTracking()
            // Issue 18: a synthetic sandbox client is nobody's recipient through the API (its number may be a stranger's).
            .Where(c => c.SandboxOwnerId == null && (phones.Contains(c.Phone) || (c.ExternalId != null && externals.Contains(c.ExternalId))))
            .ToListAsync();
        if (queries.Count == 1) return [clients];
        return queries.Select(q =>
        {
            var own = new HashSet<string>(q.Phones, StringComparer.Ordinal);
            var ownExternal = new HashSet<string>(q.ExternalIds, StringComparer.Ordinal);
            return (IReadOnlyList<Client>)clients.Where(c => own.Contains(c.Phone) || (c.ExternalId is not null && ownExternal.Contains(c.ExternalId))).ToList();
        }).ToList();
    }

    /// <summary>The plain path's rows of many requests in one statement (no transaction: one statement is atomic).</summary>
    private async Task<IReadOnlyList<IReadOnlyList<long>>> InsertBatchAsync(IReadOnlyList<IReadOnlyList<NewMessage>> requests)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var ids = await InsertPostgresAsync(db, requests.SelectMany(r => r).ToList(), CancellationToken.None);
        var result = new List<IReadOnlyList<long>>(requests.Count);
        var at = 0;
        foreach (var request in requests)
        {
            result.Add(ids.Skip(at).Take(request.Count).ToList());
            at += request.Count;
        }
        return result;
    }

    /// <summary>A context created on first use, so a request that needs none makes none.</summary>
    private sealed class LazyContext(IDbContextFactory<PortalDbContext> contexts) : IAsyncDisposable
    {
        private PortalDbContext? _db;

        public async ValueTask<PortalDbContext> GetAsync(CancellationToken ct) => _db ??= await contexts.CreateDbContextAsync(ct);

        public ValueTask DisposeAsync() => _db?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    /// <summary>SQLite (tests, small installs): through EF, in the caller's transaction; the PriorityMessage rows are saved with the caller's next save.</summary>
    private static async Task<IReadOnlyList<long>> InsertAsync(PortalDbContext db, IReadOnlyList<NewMessage> rows, CancellationToken ct)
    {
        var messages = rows.Select(r => new Message(null, r.ClientId, r.Phone, r.CreatedAt) { Status = MessageStatus.Queued }).ToList();
        db.Messages.AddRange(messages);
        await db.SaveChangesAsync(ct);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            db.PriorityMessages.Add(new PriorityMessage(messages[i].Id, PrioritySource.Api, r.ApiKeyId, r.Text, r.Sender, r.ProviderId, r.Purpose, r.ExpiresAt, r.TemplateId, r.CreatedAt));
        }
        return messages.Select(m => m.Id).ToList();
    }

    /// <summary>
    /// PostgreSQL: both tables in ONE statement, whatever the number of rows (arrays through
    /// <c>unnest</c>, so the text never changes and Npgsql prepares it once). The ids are drawn
    /// from the Messages identity sequence first (the CTE is read twice, so PostgreSQL evaluates it
    /// once), so each PriorityMessage row pairs with its Message by id rather than by the order of
    /// a RETURNING list. The columns are those EF writes for a new <see cref="Message"/> and
    /// <see cref="PriorityMessage"/> (MessagesApiTests read them back through EF on PostgreSQL).
    /// </summary>
    private static async Task<IReadOnlyList<long>> InsertPostgresAsync(PortalDbContext db, IReadOnlyList<NewMessage> rows, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = DispatchSql.Command(db.Database.GetDbConnection(), $"""
                WITH v AS (
                    SELECT * FROM unnest(@ord, @client, @phone, @text, @sender, @provider, @purpose, @expires, @template, @key, @created)
                        AS v(ord, client, phone, text, sender, provider, purpose, expires, template, key, created)),
                ids AS (
                    SELECT nextval(pg_get_serial_sequence('"Messages"', 'Id')) AS id, o.*
                    FROM (SELECT * FROM v ORDER BY ord) AS o),
                m AS (
                    INSERT INTO "Messages" ("Id", "ClientId", "Phone", "Status", "CreatedAt", "Cost", "DeliveredParts", "Parts", "Resubmitted")
                    SELECT id, client, phone, {(int)MessageStatus.Queued}, created, 0, 0, 0, FALSE FROM ids),
                p AS (
                    INSERT INTO "PriorityMessages" ("MessageId", "Source", "ApiKeyId", "Text", "SenderId", "ProviderId", "Purpose", "ExpiresAt", "TemplateId", "Flash", "CreatedAt")
                    SELECT id, {(int)PrioritySource.Api}, key, text, sender, provider, purpose, expires, template, FALSE, created FROM ids)
                SELECT ord, id FROM ids
                """, db.Database.CurrentTransaction?.GetDbTransaction());
            var parameters = command.Parameters;
            parameters.Add(Array("ord", NpgsqlDbType.Integer, rows.Select((_, i) => i).ToArray()));
            parameters.Add(Array("client", NpgsqlDbType.Bigint, rows.Select(r => r.ClientId).ToArray()));
            parameters.Add(Array("phone", NpgsqlDbType.Text, rows.Select(r => r.Phone).ToArray()));
            parameters.Add(Array("text", NpgsqlDbType.Text, rows.Select(r => r.Text).ToArray()));
            parameters.Add(Array("sender", NpgsqlDbType.Text, rows.Select(r => r.Sender).ToArray()));
            parameters.Add(Array("provider", NpgsqlDbType.Integer, rows.Select(r => r.ProviderId).ToArray()));
            parameters.Add(Array("purpose", NpgsqlDbType.Integer, rows.Select(r => (int)r.Purpose).ToArray()));
            parameters.Add(Array("expires", NpgsqlDbType.TimestampTz, rows.Select(r => DateTime.SpecifyKind(r.ExpiresAt, DateTimeKind.Utc)).ToArray()));
            parameters.Add(Array("template", NpgsqlDbType.Integer, rows.Select(r => r.TemplateId).ToArray()));
            parameters.Add(Array("key", NpgsqlDbType.Integer, rows.Select(r => r.ApiKeyId).ToArray()));
            parameters.Add(Array("created", NpgsqlDbType.TimestampTz, rows.Select(r => DateTime.SpecifyKind(r.CreatedAt, DateTimeKind.Utc)).ToArray()));
            var ids = new long[rows.Count];
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) ids[reader.GetInt32(0)] = reader.GetInt64(1);
            return ids;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, T[] values) => new(name, NpgsqlDbType.Array | type) { Value = values };

    public sealed record SendResponse(int Accepted, int Refused, IReadOnlyList<SendItemResult> Messages);

    private static async Task<SubmitResult?> ReplayAsync(PortalDbContext db, int apiKeyId, string key, string hash, CancellationToken ct)
    {
        var row = await db.ApiIdempotencyKeys.AsNoTracking().FirstOrDefaultAsync(k => k.ApiKeyId == apiKeyId && k.Key == key, ct);
        if (row is null) return null;
        if (row.RequestHash != hash) return new SubmitResult.KeyReused();
        return new SubmitResult.Accepted(row.ResponseJson ?? "{}", true, []);
    }

    /// <summary>Adds to the key's usage of the day unless that passes the quota; one guarded UPDATE.</summary>
    private static async Task<bool> CountAsync(PortalDbContext db, int apiKeyId, DateOnly day, int count, int quota, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        await using (var insert = DispatchSql.Command(connection, """
            INSERT INTO "ApiKeyUsages" ("ApiKeyId", "Day", "Count") VALUES (@key, @day, 0) ON CONFLICT DO NOTHING
            """, transaction))
        {
            insert.AddInt("@key", apiKeyId);
            insert.Add("@day", day);
            await insert.ExecuteNonQueryAsync(ct);
        }
        await using var update = DispatchSql.Command(connection, """
            UPDATE "ApiKeyUsages" SET "Count" = "Count" + @n WHERE "ApiKeyId" = @key AND "Day" = @day AND "Count" + @n <= @quota
            """, transaction);
        update.AddInt("@key", apiKeyId);
        update.Add("@day", day);
        update.AddInt("@n", count);
        update.AddInt("@quota", quota);
        return await update.ExecuteNonQueryAsync(ct) == 1;
    }

    private sealed record LoadedTemplate(CompiledTemplate Compiled, IReadOnlyList<string> Variables);

    private async Task<Dictionary<int, LoadedTemplate>> LoadTemplatesAsync(LazyContext lazy, IReadOnlyList<SendItem> items, List<BatchItemError> errors, CancellationToken ct)
    {
        var ids = items.Where(i => i.TemplateId is not null).Select(i => i.TemplateId!.Value).Distinct().ToList();
        var rows = ids.Count == 0 ? [] : await (await lazy.GetAsync(ct)).Templates.AsNoTracking().Where(t => ids.Contains(t.Id)).Select(t => new { t.Id, t.Body }).ToListAsync(ct);
        var result = new Dictionary<int, LoadedTemplate>();
        var broken = new HashSet<int>();
        foreach (var row in rows)
        {
            try
            {
                result[row.Id] = new LoadedTemplate(engine.Compile(row.Body), VariablesOf(row.Body));
            }
            catch (TemplateSyntaxException)
            {
                broken.Add(row.Id);
            }
        }
        foreach (var item in items.Where(i => i.TemplateId is { } id && !result.ContainsKey(id)))
        {
            errors.Add(new BatchItemError(item.Index, item.ExternalId, "templateId",
                broken.Contains(item.TemplateId!.Value) ? "The template does not compile." : $"There is no template {item.TemplateId}."));
        }
        return result;
    }

    /// <summary>The <c>attr.x</c> / <c>attr["x"]</c> names a template reads: the request's variables must supply each.</summary>
    internal static IReadOnlyList<string> VariablesOf(string body) =>
        VariablePattern().Matches(body).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).Distinct(StringComparer.Ordinal).ToList();

    [GeneratedRegex("""\battr(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([^"']+)["']\s*\])""")]
    private static partial Regex VariablePattern();

    /// <returns>True when the text is refused (an error was added).</returns>
    private static bool CheckText(SendItem item, string text, List<BatchItemError> errors)
    {
        var field = item.TemplateId is null ? "text" : "templateId";
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new BatchItemError(item.Index, item.ExternalId, field, "The text is empty."));
            return true;
        }
        var measure = SmsLength.Measure(text);
        if (text.Length > PriorityMessage.MaxTextLength || measure.Parts > 10)
        {
            errors.Add(new BatchItemError(item.Index, item.ExternalId, field,
                string.Create(CultureInfo.InvariantCulture, $"The text is {measure.Parts} SMS parts ({text.Length} characters); at most 10 parts.")));
            return true;
        }
        return false;
    }

    /// <summary>Sender ids allowed by each enabled provider (empty: any), from the cache when fresh.</summary>
    private async Task<IReadOnlyDictionary<int, IReadOnlyList<string>>> EnabledProvidersAsync(LazyContext lazy, CancellationToken ct)
    {
        var cache = _providers;
        if (cache is not null && cache.Version == providerVersion.Current && Environment.TickCount64 - cache.LoadedAt < ProviderCacheFor.TotalMilliseconds)
        {
            return cache.SenderIds;
        }
        var version = providerVersion.Current;
        var providers = await (await lazy.GetAsync(ct)).Providers.AsNoTracking().Where(p => p.Enabled).Select(p => new { p.Id, p.SettingsJson }).ToListAsync(ct);
        cache = new ProviderCache(providers.ToDictionary(p => p.Id, p => ProviderSettings.Parse(p.SettingsJson).SenderIds), Environment.TickCount64, version);
        _providers = cache;
        return cache.SenderIds;
    }

    private static void CheckProviders(IReadOnlyDictionary<int, IReadOnlyList<string>> senderIds, IReadOnlyList<SendItem> items, List<BatchItemError> errors, MessagesApiOptions o)
    {
        foreach (var item in items)
        {
            var sender = item.SenderId ?? o.DefaultSenderId;
            if (item.ProviderId is { } pid)
            {
                if (!senderIds.TryGetValue(pid, out var allowed))
                {
                    errors.Add(new BatchItemError(item.Index, item.ExternalId, "providerId", $"There is no enabled provider {pid}."));
                }
                else if (allowed.Count > 0 && !allowed.Contains(sender, StringComparer.Ordinal))
                {
                    errors.Add(new BatchItemError(item.Index, item.ExternalId, "senderId", $"The provider does not allow the sender id '{sender}'."));
                }
            }
            else if (senderIds.Count > 0 && !senderIds.Values.Any(allowed => allowed.Count == 0 || allowed.Contains(sender, StringComparer.Ordinal)))
            {
                errors.Add(new BatchItemError(item.Index, item.ExternalId, "senderId", $"No enabled provider allows the sender id '{sender}'."));
            }
        }
    }
}
