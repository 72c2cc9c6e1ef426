using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Infrastructure.Messaging;
using Portal.Tests.Support;
using RabbitMQ.Client;

namespace Portal.Tests.Infrastructure.Messaging;

/// <summary>Against the real broker that ./test.sh starts (PORTAL_TEST_RABBITMQ).</summary>
public sealed class RabbitMqMessageBusTests : MessageBusContractTests
{
    protected override IMessageBus CreateBusCore(MessagingOptions options)
    {
        options.Transport = MessagingTransport.RabbitMq;
        options.RabbitMq.Uri = TestEnvironment.RabbitMq;
        options.RabbitMq.ClientName = "portal-tests";
        return new RabbitMqMessageBus(options, NullLogger<RabbitMqMessageBus>.Instance);
    }

    protected override async Task<IReadOnlyList<string>> ReadDeadLettersAsync(IMessageBus bus, string queue)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var bodies = new List<string>();
        while (await channel.BasicGetAsync(queue + ".dead", autoAck: false) is { } result)
        {
            bodies.Add(Encoding.UTF8.GetString(result.Body.Span));
        }
        return bodies; // unacked: closing the channel puts them back
    }

    protected override Task DeleteQueueAsync(IMessageBus bus, string queue) =>
        ((RabbitMqMessageBus)bus).DeleteQueueAsync(queue);

    [Fact]
    public async Task PublishAsync_StoresPersistentJsonMessageInDurableQueue()
    {
        var bus = CreateBus();
        await bus.PublishAsync(Queue, new TestMessage(5, "persistent"));

        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var result = await channel.BasicGetAsync(Queue, autoAck: false);

        Assert.NotNull(result);
        Assert.True(result.BasicProperties.Persistent);
        Assert.Equal("application/json", result.BasicProperties.ContentType);
        Assert.Equal("""{"id":5,"text":"persistent"}""", Encoding.UTF8.GetString(result.Body.Span));
    }

    [Fact]
    public async Task SubscribeAsync_ExistingQueueWithOtherDeliveryLimit_ThrowsClearError()
    {
        var bus = CreateBus(Options(maxDeliveryAttempts: 3));
        await bus.PublishAsync(Queue, new TestMessage(1, "x"));
        var other = CreateBus(Options(maxDeliveryAttempts: 4));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => other.SubscribeAsync<TestMessage>(Queue, (_, _) => Task.CompletedTask));
        Assert.Contains("exists with other arguments", error.Message);
    }

    [Fact]
    public async Task HealthCheck_ConnectedBroker_IsHealthy()
    {
        var check = new MessageBusHealthCheck(CreateBus());

        var result = await check.CheckHealthAsync(Context(check));

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.StartsWith("RabbitMQ connection to 127.0.0.1:", result.Description);
    }

    [Fact]
    public async Task HealthCheck_UnreachableBroker_IsUnhealthyWithoutCredentials()
    {
        var options = Options();
        options.Transport = MessagingTransport.RabbitMq;
        options.RabbitMq.Uri = "amqp://guest:secret@127.0.0.1:1/"; // nothing listens on port 1
        await using var bus = new RabbitMqMessageBus(options, NullLogger<RabbitMqMessageBus>.Instance);
        var check = new MessageBusHealthCheck(bus);

        var result = await check.CheckHealthAsync(Context(check));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("RabbitMQ connection to 127.0.0.1:1 closed", result.Description);
    }

    /// <summary>
    /// Issue 21: a queue deleted behind the bus's back (an operator, a broker policy) makes the
    /// broker return the mandatory message; the caller gets a publish error naming the queue, never
    /// a silent loss.
    /// </summary>
    [Fact]
    public async Task PublishAsync_QueueDeletedBehindTheBus_FailsNamingTheQueue()
    {
        var bus = CreateBus();
        await bus.PublishAsync(Queue, new TestMessage(1, "declared"));
        await using (var connection = await ConnectAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeleteAsync(Queue, ifUnused: false, ifEmpty: false);
        }

        var error = await Assert.ThrowsAsync<MessagePublishException>(() => bus.PublishAsync(Queue, new TestMessage(2, "lost?")));
        Assert.Equal($"RabbitMQ returned the message: queue '{Queue}' does not exist.", error.Message);
        Assert.True(((RabbitMqMessageBus)bus).IsConnected);
    }

    [Fact]
    public async Task PublishAsync_UnreachableBroker_FailsAsAPublishError_EveryTime()
    {
        var options = Options();
        options.Transport = MessagingTransport.RabbitMq;
        options.RabbitMq.Uri = "amqp://guest:secret@127.0.0.1:1/";
        await using var bus = new RabbitMqMessageBus(options, NullLogger<RabbitMqMessageBus>.Instance);

        // The failed declaration is not cached: the second publish tries the broker again and fails the same way.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var error = await Assert.ThrowsAsync<MessagePublishException>(() => bus.PublishAsync(Queue, new TestMessage(1, "x")));
            Assert.StartsWith($"Publishing to queue '{Queue}' failed: ", error.Message);
            Assert.DoesNotContain("secret", error.Message);
            Assert.NotNull(error.InnerException);
        }
        Assert.False(bus.IsConnected);
        await bus.DisposeAsync();
    }

    private static HealthCheckContext Context(IHealthCheck check) => new()
    {
        Registration = new HealthCheckRegistration("messaging", check, HealthStatus.Unhealthy, null),
    };

    private static Task<IConnection> ConnectAsync() =>
        new ConnectionFactory { Uri = new Uri(TestEnvironment.RabbitMq) }.CreateConnectionAsync();
}
