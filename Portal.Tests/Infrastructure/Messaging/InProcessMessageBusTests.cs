using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Infrastructure.Messaging;

namespace Portal.Tests.Infrastructure.Messaging;

public sealed class InProcessMessageBusTests : MessageBusContractTests
{
    protected override IMessageBus CreateBusCore(MessagingOptions options) =>
        new InProcessMessageBus(options, NullLogger<InProcessMessageBus>.Instance);

    protected override Task<IReadOnlyList<string>> ReadDeadLettersAsync(IMessageBus bus, string queue) =>
        Task.FromResult<IReadOnlyList<string>>(
            ((InProcessMessageBus)bus).GetDeadLetters(queue).Select(b => Encoding.UTF8.GetString(b)).ToList());

    // Queues live in the bus; disposing it frees them.
    protected override Task DeleteQueueAsync(IMessageBus bus, string queue) => Task.CompletedTask;
}
