namespace Portal.Infrastructure.Providers;

/// <summary>
/// A provider's circuit opened by some node, shared through the database (issue 12 item 5: an open
/// circuit on one node is known to the others within seconds). The node whose breaker trips writes
/// the row; every router reads the rows still open about once a second and keeps that provider out
/// of its routes until <see cref="OpenUntil"/>; the node's own successful probe deletes its row.
/// One row per provider: the last node to trip it wins.
/// </summary>
public sealed class ProviderCircuit
{
    public int ProviderId { get; set; }

    /// <summary>When the opening node lets a probe through; after it every node routes to the provider again.</summary>
    public DateTime OpenUntil { get; set; }

    public DateTime OpenedAt { get; set; }

    /// <summary>The node whose breaker tripped (the router's node id).</summary>
    public string NodeId { get; set; } = "";

    /// <summary>Why, for the operator: the failure count or the connection error (never a phone or text).</summary>
    public string Reason { get; set; } = "";
}
