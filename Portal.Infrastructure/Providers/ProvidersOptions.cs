namespace Portal.Infrastructure.Providers;

/// <summary>Section <c>Providers</c>: how quickly a failing provider is taken out of routing and tried again.</summary>
public sealed class ProvidersOptions
{
    public const string Section = "Providers";

    /// <summary>Consecutive temporary or uncertain failures that open a provider's circuit.</summary>
    public int CircuitThreshold { get; set; } = 5;

    /// <summary>How long an open circuit keeps a provider out before one probe message.</summary>
    public TimeSpan CircuitCoolDown { get; set; } = TimeSpan.FromSeconds(30);
}
