using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Portal.Infrastructure.Messaging;

/// <summary>
/// Healthy while the bus can deliver: the RabbitMQ connection is open (it connects on first
/// check); the in-process bus always is. Register with
/// <c>services.AddHealthChecks().AddCheck&lt;MessageBusHealthCheck&gt;("messaging")</c>.
/// </summary>
public sealed class MessageBusHealthCheck(IMessageBus bus) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (bus is RabbitMqMessageBus rabbit)
        {
            return await rabbit.CheckConnectionAsync(cancellationToken)
                ? HealthCheckResult.Healthy($"RabbitMQ connection to {rabbit.Endpoint} open")
                : new HealthCheckResult(context.Registration.FailureStatus, $"RabbitMQ connection to {rabbit.Endpoint} closed");
        }
        return HealthCheckResult.Healthy("in-process");
    }
}
