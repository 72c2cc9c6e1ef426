namespace Portal.Infrastructure.Providers;

/// <summary>Section <c>Providers</c>: how quickly a failing provider is taken out of routing and tried again, and where providers call back.</summary>
public sealed class ProvidersOptions
{
    public const string Section = "Providers";

    /// <summary>Consecutive temporary or uncertain failures that open a provider's circuit.</summary>
    public int CircuitThreshold { get; set; } = 5;

    /// <summary>How long an open circuit keeps a provider out before one probe message.</summary>
    public TimeSpan CircuitCoolDown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often each sending node reads the circuits other nodes opened (issue 12: an open circuit on
    /// one node is known to the others within seconds). One small statement per interval per node.
    /// </summary>
    public TimeSpan CircuitShareRefresh { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The public address HTTP providers reach this portal at for receipts and inbound SMS
    /// (<c>{dlr_url}</c>, the callback URLs the editor shows), e.g. <c>https://portal.company.example</c>.
    /// Empty: the app's own first listening address.
    /// </summary>
    public string? CallbackBaseUrl { get; set; }
}
