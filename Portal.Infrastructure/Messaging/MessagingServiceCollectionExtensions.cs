using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portal.Infrastructure.Messaging;

internal static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="MessagingOptions"/> from the "Messaging" section (validated at start) and
    /// registers the chosen <see cref="IMessageBus"/> as a singleton. The health check is registered
    /// by the host: <c>AddHealthChecks().AddCheck&lt;MessageBusHealthCheck&gt;("messaging")</c>.
    /// </summary>
    internal static IServiceCollection AddPortalMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPortalOptions<MessagingOptions>(configuration, MessagingOptions.SectionName);
        services.AddSingleton<IValidateOptions<MessagingOptions>, MessagingOptionsValidator>();
        services.AddSingleton<IMessageBus>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<MessagingOptions>>().Value;
            var loggers = provider.GetRequiredService<ILoggerFactory>();
            return options.Transport switch
            {
                MessagingTransport.InProcess => new InProcessMessageBus(options, loggers.CreateLogger<InProcessMessageBus>()),
                MessagingTransport.RabbitMq => new RabbitMqMessageBus(options, loggers.CreateLogger<RabbitMqMessageBus>()),
                _ => throw new InvalidOperationException($"Unknown Messaging:Transport {options.Transport}."),
            };
        });
        // Both transports keep their own dead letters; a bus replaced in tests may keep none.
        services.AddSingleton<IDeadLetterStore>(provider =>
            provider.GetRequiredService<IMessageBus>() as IDeadLetterStore ?? NoDeadLetters.Instance);
        return services;
    }
}

internal sealed class NoDeadLetters : IDeadLetterStore
{
    public static readonly NoDeadLetters Instance = new();

    public Task<int> RemoveDeadLettersAsync(string queue, Func<DeadLetter, bool> remove, CancellationToken ct = default) => Task.FromResult(0);
}
