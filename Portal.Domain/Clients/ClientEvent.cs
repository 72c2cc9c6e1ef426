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

    public ClientEvent(long clientId, ClientEventType type, DateTime occurredAt, decimal? amount = null, string? name = null, string? attributesJson = null)
    {
        ClientId = clientId;
        Type = type;
        OccurredAt = occurredAt;
        Amount = amount;
        Name = name;
        AttributesJson = attributesJson;
    }

    public long Id { get; private set; }
    public long ClientId { get; private set; }
    public ClientEventType Type { get; private set; }
    /// <summary>For <see cref="ClientEventType.Custom"/>: the event's own name.</summary>
    public string? Name { get; private set; }
    public DateTime OccurredAt { get; private set; }
    public decimal? Amount { get; private set; }
    public string? AttributesJson { get; private set; }
}
