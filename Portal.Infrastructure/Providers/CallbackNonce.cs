namespace Portal.Infrastructure.Providers;

/// <summary>
/// A signed callback's id, seen once (issue 14): a replayed callback carries an id already here
/// and is refused. Kept for the timestamp window only; the retention job deletes older ones.
/// The primary key makes "seen" atomic across nodes: the second insert fails.
/// </summary>
public sealed class CallbackNonce
{
    private CallbackNonce() { }

    public CallbackNonce(int providerId, string nonce, DateTime receivedAt)
    {
        ProviderId = providerId;
        Nonce = nonce;
        ReceivedAt = receivedAt;
    }

    public int ProviderId { get; private set; }
    public string Nonce { get; private set; } = "";
    public DateTime ReceivedAt { get; private set; }
}
