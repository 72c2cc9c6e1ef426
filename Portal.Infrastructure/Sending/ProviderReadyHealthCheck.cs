using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Providers;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// Part of <c>/health/ready</c> only (issue 22): a sender node (Sending:Enabled) is ready once at
/// least one provider can take messages, i.e. an SMPP connector has a bound session or an HTTP
/// provider's sender exists. Nodes that do not send are always ready here.
/// </summary>
public sealed class ProviderReadyHealthCheck(ProviderConnections connections, IOptions<SendingOptions> sending) : IHealthCheck
{
    public const string Name = "providers";

    /// <summary>Checks with this tag run in /health/ready but not in /health (which keeps its shape).</summary>
    public const string ReadyOnlyTag = "ready-only";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!sending.Value.Enabled) return Task.FromResult(HealthCheckResult.Healthy("not a sender node"));
        var bound = connections.Connected().Count(c => c.Connector.BoundSessions > 0);
        if (bound > 0 || connections.HttpSenders > 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"{bound} SMPP provider(s) bound, {connections.HttpSenders} HTTP provider(s)"));
        }
        return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "no provider bound on this sender node"));
    }
}
