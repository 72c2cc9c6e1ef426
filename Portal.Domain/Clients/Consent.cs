namespace Portal.Domain.Clients;

/// <summary>What a client agreed to receive. Service messages need no advertising consent.</summary>
public enum ConsentPurpose
{
    Service = 1,
    Advertising = 2,
}

/// <summary>
/// The current state of one consent purpose, with where it came from (152-FZ art. 9: the operator
/// must be able to prove consent). The history of changes is kept in <see cref="ConsentRecord"/>.
/// </summary>
public sealed record Consent(bool Granted, DateTime? ChangedAt, string? Source, string? Evidence)
{
    public static Consent None { get; } = new(false, null, null, null);
}

/// <summary>One change of consent, append-only: the evidence trail.</summary>
public sealed class ConsentRecord
{
    private ConsentRecord() { }

    public ConsentRecord(long clientId, ConsentPurpose purpose, bool granted, DateTime at, string source, string? evidence)
    {
        ClientId = clientId;
        Purpose = purpose;
        Granted = granted;
        At = at;
        Source = source;
        Evidence = evidence;
    }

    public long Id { get; private set; }
    public long ClientId { get; private set; }
    public ConsentPurpose Purpose { get; private set; }
    public bool Granted { get; private set; }
    public DateTime At { get; private set; }
    public string Source { get; private set; } = "";
    public string? Evidence { get; private set; }
}
