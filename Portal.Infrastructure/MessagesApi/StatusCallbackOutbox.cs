using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Messages;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sending;

namespace Portal.Infrastructure.MessagesApi;

/// <summary>Protects the per-key callback signing secret at rest (its own Data Protection purpose).</summary>
public sealed class CallbackSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Portal.ApiKey.Callback");

    public string Protect(string secret) => _protector.Protect(secret);

    public string? TryUnprotect(string protectedSecret)
    {
        try
        {
            return _protector.Unprotect(protectedSecret);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}

/// <summary>
/// Status callbacks (issue 19): the outbox of status changes of API messages whose key has a
/// callback URL. <see cref="EnqueueAsync"/> is one INSERT ... SELECT per batch of messages, called
/// by the priority sender after recording submits and by the receipt processor after applying
/// receipts; the unique (MessageId, Status) index makes repeats (duplicate receipts, redelivered
/// batches) insert nothing.
/// </summary>
public sealed class StatusCallbackOutbox(TimeProvider clock) : Sending.IStatusCallbackQueue
{
    /// <summary>Statuses worth telling: the message left the queue, one way or another.</summary>
    private static readonly string Reportable = string.Join(",", new[]
    {
        MessageStatus.Submitted, MessageStatus.Delivered, MessageStatus.Undeliverable, MessageStatus.Expired, MessageStatus.Rejected,
        MessageStatus.Uncertain, MessageStatus.Unknown, MessageStatus.Cancelled,
    }.Select(s => ((int)s).ToString(CultureInfo.InvariantCulture)));

    private long _checkedAt = long.MinValue / 2;
    private volatile bool _anyCallbacks;

    /// <summary>
    /// Whether any key has a callback URL, re-read at most every 5 s: campaign receipts (millions)
    /// then cost nothing while no integration asked for callbacks.
    /// </summary>
    private async Task<bool> AnyCallbacksAsync(DbConnection connection, CancellationToken ct)
    {
        if (Environment.TickCount64 - Interlocked.Read(ref _checkedAt) < 5_000) return _anyCallbacks;
        await using var command = DispatchSql.Command(connection, """SELECT COUNT(*) FROM "ApiKeys" WHERE "CallbackUrl" IS NOT NULL AND "RevokedAt" IS NULL""");
        _anyCallbacks = Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) > 0;
        Interlocked.Exchange(ref _checkedAt, Environment.TickCount64);
        return _anyCallbacks;
    }

    /// <summary>Forget the cached "any callbacks?" answer (a key's callback was just set).</summary>
    public void Invalidate() => Interlocked.Exchange(ref _checkedAt, long.MinValue / 2);

    public async Task EnqueueAsync(DbConnection connection, IReadOnlyList<long> messageIds, CancellationToken ct)
    {
        if (messageIds.Count == 0 || !await AnyCallbacksAsync(connection, ct)) return;
        foreach (var part in messageIds.Distinct().Chunk(1000))
        {
            await using var command = DispatchSql.Command(connection, $"""
                INSERT INTO "StatusCallbacks" ("ApiKeyId", "MessageId", "Status", "Attempts", "CreatedAt", "NextAttemptAt")
                SELECT p."ApiKeyId", m."Id", m."Status", 0, @now, @now
                FROM "Messages" m
                JOIN "PriorityMessages" p ON p."MessageId" = m."Id"
                JOIN "ApiKeys" k ON k."Id" = p."ApiKeyId"
                WHERE m."Id" IN ({DispatchSql.IdList(part)}) AND k."CallbackUrl" IS NOT NULL AND m."Status" IN ({Reportable})
                ON CONFLICT ("MessageId", "Status") DO NOTHING
                """);
            command.AddTime("@now", clock.GetUtcNow().UtcDateTime);
            await DispatchSql.RetryOnConflictAsync(() => command.ExecuteNonQueryAsync(ct), ct);
        }
    }

    /// <summary>Same, for receipts matched by the provider's message id (the receipt processor's second path).</summary>
    public async Task EnqueueByProviderIdsAsync(DbConnection connection, IReadOnlyList<(int ProviderId, string ProviderMessageId)> keys, CancellationToken ct)
    {
        if (keys.Count == 0 || !await AnyCallbacksAsync(connection, ct)) return;
        foreach (var part in keys.Distinct().Chunk(500))
        {
            await using var command = DispatchSql.Command(connection, "");
            command.CommandText = DispatchSql.Values(command, "prov, pid", part, (c, k, name) =>
                {
                    c.AddInt(name(0), k.ProviderId);
                    c.Add(name(1), k.ProviderMessageId);
                }) + $"""
                INSERT INTO "StatusCallbacks" ("ApiKeyId", "MessageId", "Status", "Attempts", "CreatedAt", "NextAttemptAt")
                SELECT p."ApiKeyId", m."Id", m."Status", 0, @now, @now
                FROM v
                JOIN "Messages" m ON m."ProviderId" = CAST(v.prov AS INTEGER) AND m."ProviderMessageId" = v.pid
                JOIN "PriorityMessages" p ON p."MessageId" = m."Id"
                JOIN "ApiKeys" k ON k."Id" = p."ApiKeyId"
                WHERE k."CallbackUrl" IS NOT NULL AND m."Status" IN ({Reportable})
                ON CONFLICT ("MessageId", "Status") DO NOTHING
                """;
            command.AddTime("@now", clock.GetUtcNow().UtcDateTime);
            await DispatchSql.RetryOnConflictAsync(() => command.ExecuteNonQueryAsync(ct), ct);
        }
    }
}

/// <summary>
/// Works through the callback outbox (issue 19): claims due rows (moving their next attempt a
/// minute on, so another node skips them), POSTs each, and marks it delivered on a 2xx; otherwise
/// retries with exponential back-off (2 s, 4 s, ... at most an hour) until
/// <see cref="MessagesApiOptions.CallbackMaxAttempts"/>. The body is signed with the key's secret:
/// <c>X-Portal-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body))</c> and
/// <c>X-Portal-Timestamp</c> (Unix seconds), so a receiver can refuse replays older than a few minutes.
/// </summary>
public sealed class StatusCallbackService(
    IDbContextFactory<PortalDbContext> contexts,
    IHttpClientFactory http,
    CallbackSecrets secrets,
    TimeProvider clock,
    IOptions<MessagesApiOptions> options,
    IOptions<SendingOptions> sending,
    ILogger<StatusCallbackService> logger) : BackgroundService
{
    public const string HttpClientName = "status-callbacks";
    public const string SignatureHeader = "X-Portal-Signature";
    public const string TimestampHeader = "X-Portal-Timestamp";

    public long Delivered;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!sending.Value.Enabled) return;
        await Task.Yield();
        using var timer = new PeriodicTimer(options.Value.CallbackInterval);
        try
        {
            do
            {
                try
                {
                    while (await RunOnceAsync(stoppingToken) > 0)
                    {
                    }
                    await PurgeIdempotencyKeysAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Status callbacks failed; retried on the next tick");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private DateTime _keysPurgedAt = DateTime.MinValue;

    /// <summary>
    /// Deletes idempotency keys past <see cref="MessagesApiOptions.IdempotencyRetention"/>, at most once
    /// an hour. Issue 21: nothing called the purge before, so the table grew by one row per keyed request forever.
    /// </summary>
    /// <returns>How many keys were deleted (0 when the last purge is less than an hour old).</returns>
    internal async Task<int> PurgeIdempotencyKeysAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (now - _keysPurgedAt < TimeSpan.FromHours(1)) return 0;
        _keysPurgedAt = now;
        var before = now - options.Value.IdempotencyRetention;
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.ApiIdempotencyKeys.Where(k => k.CreatedAt < before).ExecuteDeleteAsync(ct);
    }

    private sealed record Due(long Id, long MessageId, MessageStatus Status, int Attempts, string Url, string? Secret,
        int Parts, decimal Cost, string? ErrorCode, DateTime? DoneAt);

    /// <returns>How many callbacks were attempted.</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var candidates = await db.StatusCallbacks.AsNoTracking()
            .Where(c => c.DeliveredAt == null && c.AbandonedAt == null && c.NextAttemptAt <= now)
            .OrderBy(c => c.NextAttemptAt).Take(100).Select(c => c.Id).ToListAsync(ct);
        if (candidates.Count == 0) return 0;
        var lease = now.AddMinutes(1);
        var claimed = await db.StatusCallbacks
            .Where(c => candidates.Contains(c.Id) && c.DeliveredAt == null && c.NextAttemptAt <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.NextAttemptAt, lease), ct);
        if (claimed == 0) return 0;
        var due = await db.StatusCallbacks.AsNoTracking()
            .Where(c => candidates.Contains(c.Id) && c.NextAttemptAt == lease && c.DeliveredAt == null)
            .Join(db.ApiKeys.AsNoTracking(), c => c.ApiKeyId, k => k.Id, (c, k) => new { c, k.CallbackUrl, k.CallbackSecret })
            .Join(db.Messages.AsNoTracking(), x => x.c.MessageId, m => m.Id, (x, m) => new Due(x.c.Id, x.c.MessageId, x.c.Status, x.c.Attempts,
                x.CallbackUrl ?? "", x.CallbackSecret, m.Parts, m.Cost, m.ErrorCode, m.DoneAt))
            .ToListAsync(ct);
        var results = await Task.WhenAll(due.Select(d => SendAsync(d, ct)));
        var o = options.Value;
        foreach (var (d, error) in due.Zip(results))
        {
            var attempts = d.Attempts + 1;
            var at = clock.GetUtcNow().UtcDateTime;
            if (error is null)
            {
                Interlocked.Increment(ref Delivered);
                await db.StatusCallbacks.Where(c => c.Id == d.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.DeliveredAt, at).SetProperty(c => c.Attempts, attempts), ct);
            }
            else
            {
                var backOff = TimeSpan.FromSeconds(Math.Min(3600, o.CallbackFirstRetry.TotalSeconds * Math.Pow(2, d.Attempts)));
                DateTime? abandoned = attempts >= o.CallbackMaxAttempts ? at : null;
                var reason = error.Length > 500 ? error[..500] : error;
                await db.StatusCallbacks.Where(c => c.Id == d.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(c => c.Attempts, attempts).SetProperty(c => c.NextAttemptAt, at + backOff)
                    .SetProperty(c => c.AbandonedAt, abandoned).SetProperty(c => c.LastError, reason), ct);
            }
        }
        return due.Count;
    }

    /// <returns>Null when the receiver answered 2xx, else why not.</returns>
    private async Task<string?> SendAsync(Due d, CancellationToken ct)
    {
        var secret = d.Secret is null ? null : secrets.TryUnprotect(d.Secret);
        if (secret is null) return "the key's callback secret cannot be decrypted on this node";
        var body = JsonSerializer.Serialize(new
        {
            id = d.MessageId,
            status = MessagesApiJson.StatusName(d.Status),
            parts = d.Parts,
            cost = d.Cost,
            error = d.ErrorCode,
            doneAt = d.DoneAt is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : (DateTime?)null,
        });
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, d.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(SignatureHeader, "sha256=" + Sign(secret, timestamp, body));
        try
        {
            using var client = http.CreateClient(HttpClientName);
            using var response = await client.SendAsync(request, ct);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return e.Message;
        }
    }

    /// <summary>Hex HMAC-SHA256 over "timestamp.body" (what receivers recompute).</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));
}
