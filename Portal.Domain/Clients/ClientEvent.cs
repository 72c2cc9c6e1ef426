namespace Portal.Domain.Clients;

public enum ClientEventType
{
    Purchase = 1,
    Payment = 2,
    Login = 3,
    Visit = 4,
    Custom = 99,
}

/// <summary>Something a client did; analytics attribute these to the campaigns that preceded them.</summary>
public sealed class ClientEvent
{
    private ClientEvent() { }

    public ClientEvent(long clientId, ClientEventType type, DateTime occurredAt, decimal? amount = null, string? name = null, string? attributesJson = null,
        string? source = null, string? eventKey = null)
    {
        if (eventKey is not null && string.IsNullOrEmpty(source))
        {
            throw new ArgumentException("An event key is unique within its source: name the source.", nameof(source));
        }
        ClientId = clientId;
        Type = type;
        OccurredAt = occurredAt;
        Amount = amount;
        Name = name;
        AttributesJson = attributesJson;
        Source = eventKey is null ? null : source;
        EventKey = eventKey;
    }

    public long Id { get; private set; }
    public long ClientId { get; private set; }
    public ClientEventType Type { get; private set; }
    /// <summary>For <see cref="ClientEventType.Custom"/>: the event's own name.</summary>
    public string? Name { get; private set; }
    public DateTime OccurredAt { get; private set; }
    public decimal? Amount { get; private set; }
    public string? AttributesJson { get; private set; }

    /// <summary>Who sent a keyed event: <see cref="ApiSource"/> or <c>sync:{id}</c>; null for an event without a key.</summary>
    public string? Source { get; private set; }

    /// <summary>
    /// The sender's idempotency key (its event id), unique per <see cref="Source"/> (issue 20: a
    /// retried request must not count a purchase twice). Null: not deduplicated, as before.
    /// </summary>
    public string? EventKey { get; private set; }

    /// <summary>The <see cref="Source"/> of events posted to <c>/api/v1/events</c>.</summary>
    public const string ApiSource = "api";

    /// <summary>The <see cref="Source"/> of events read by scheduled sync source <paramref name="sourceId"/>.</summary>
    public static string SyncSource(int sourceId) => $"sync:{sourceId}";

    public const int MaxSourceLength = 32;
    public const int MaxEventKeyLength = 100;
}
