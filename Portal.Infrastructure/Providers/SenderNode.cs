namespace Portal.Infrastructure.Providers;

/// <summary>
/// A node that routed messages recently: the heartbeat behind cluster-wide provider caps. Each
/// node's share of a provider's speed limit and binds is the total divided by the live nodes.
/// </summary>
public sealed class SenderNode
{
    private SenderNode() { }

    public SenderNode(string id, DateTime lastSeenAt)
    {
        Id = id;
        LastSeenAt = lastSeenAt;
    }

    public string Id { get; private set; } = "";
    public DateTime LastSeenAt { get; set; }
}
