namespace Portal.Infrastructure.MessagesApi;

/// <summary>
/// One Idempotency-Key a key used on POST /api/v1/messages (issue 19). The unique index on
/// (ApiKeyId, Key) is the guard: of two concurrent requests with one key only one inserts, and a
/// retry finds the stored answer. Kept at least <see cref="MessagesApiOptions.IdempotencyRetention"/>.
/// </summary>
public sealed class ApiIdempotencyKey
{
    private ApiIdempotencyKey() { }

    public ApiIdempotencyKey(int apiKeyId, string key, string requestHash, DateTime createdAt)
    {
        ApiKeyId = apiKeyId;
        Key = key;
        RequestHash = requestHash;
        CreatedAt = createdAt;
    }

    public long Id { get; private set; }
    public int ApiKeyId { get; private set; }
    public string Key { get; private set; } = "";
    /// <summary>SHA-256 (hex) of the request body: the same key with another body is a 422, never a send.</summary>
    public string RequestHash { get; private set; } = "";
    /// <summary>The 202 body answered the first time; null while that request is still being accepted.</summary>
    public string? ResponseJson { get; set; }
    public DateTime CreatedAt { get; private set; }
}

/// <summary>Messages a key sent on one UTC day: the daily quota, raised by one guarded UPDATE per request.</summary>
public sealed class ApiKeyUsage
{
    private ApiKeyUsage() { }

    public ApiKeyUsage(int apiKeyId, DateOnly day)
    {
        ApiKeyId = apiKeyId;
        Day = day;
    }

    public int ApiKeyId { get; private set; }
    public DateOnly Day { get; private set; }
    public int Count { get; private set; }
}

/// <summary>
/// A status change waiting to be POSTed to its key's callback URL (issue 19): the durable outbox the
/// callback loop works through, retried with back-off until delivered or out of attempts. Written
/// set-based (INSERT ... SELECT) by the priority sender and the receipt processor, at most one row
/// per (message, status).
/// </summary>
public sealed class StatusCallback
{
    private StatusCallback() { }

    public StatusCallback(int apiKeyId, long messageId, Portal.Domain.Messages.MessageStatus status, DateTime createdAt)
    {
        ApiKeyId = apiKeyId;
        MessageId = messageId;
        Status = status;
        CreatedAt = createdAt;
        NextAttemptAt = createdAt;
    }

    public long Id { get; private set; }
    public int ApiKeyId { get; private set; }
    public long MessageId { get; private set; }
    /// <summary>The status this change reports; the body (no phone, no text) is built when it is sent.</summary>
    public Portal.Domain.Messages.MessageStatus Status { get; private set; }
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
    /// <summary>Set when the attempts ran out: not tried again.</summary>
    public DateTime? AbandonedAt { get; set; }
    public string? LastError { get; set; }
}
