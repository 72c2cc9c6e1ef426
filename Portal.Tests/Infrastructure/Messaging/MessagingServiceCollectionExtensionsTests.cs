using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Messaging;

namespace Portal.Tests.Infrastructure.Messaging;

public sealed class MessagingServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddPortalMessaging_NoConfiguration_RegistersInProcessBusWithDefaults()
    {
        await using var provider = Build([]);

        var bus = provider.GetRequiredService<IMessageBus>();
        var options = provider.GetRequiredService<IOptions<MessagingOptions>>().Value;

        Assert.IsType<InProcessMessageBus>(bus);
        Assert.Same(bus, provider.GetRequiredService<IMessageBus>());
        Assert.Equal(5, options.MaxDeliveryAttempts);
        var check = new MessageBusHealthCheck(bus);
        var health = await check.CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("messaging", check, HealthStatus.Unhealthy, null),
        });
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal("in-process", health.Description);
    }

    [Fact]
    public async Task AddPortalMessaging_RabbitMqTransport_BindsSectionAndRegistersRabbitMqBus()
    {
        await using var provider = Build(new()
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:RabbitMq:Uri"] = "amqp://guest:guest@127.0.0.1:5672/",
            ["Messaging:RabbitMq:ClientName"] = "portal-sender",
            ["Messaging:MaxDeliveryAttempts"] = "7",
            ["Messaging:Prefetch"] = "3",
        });

        var options = provider.GetRequiredService<IOptions<MessagingOptions>>().Value;

        Assert.IsType<RabbitMqMessageBus>(provider.GetRequiredService<IMessageBus>()); // connects lazily
        Assert.Equal("portal-sender", options.RabbitMq.ClientName);
        Assert.Equal(7, options.MaxDeliveryAttempts);
        Assert.Equal(3, options.Prefetch);
    }

    [Theory]
    [InlineData("RabbitMq", null, "5", "Messaging:RabbitMq:Uri")]
    [InlineData("RabbitMq", "http://127.0.0.1/", "5", "Messaging:RabbitMq:Uri")]
    [InlineData("InProcess", null, "0", "Messaging:MaxDeliveryAttempts")]
    public async Task AddPortalMessaging_InvalidOptions_FailValidation(string transport, string? uri, string attempts, string expected)
    {
        await using var provider = Build(new()
        {
            ["Messaging:Transport"] = transport,
            ["Messaging:RabbitMq:Uri"] = uri,
            ["Messaging:MaxDeliveryAttempts"] = attempts,
        });

        var error = Assert.Throws<OptionsValidationException>(
            () => provider.GetRequiredService<IOptions<MessagingOptions>>().Value);
        Assert.Contains(error.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddPortalMessaging(configuration).BuildServiceProvider();
    }
}
