using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client.Exceptions;

namespace Portal.Infrastructure.Messaging;

/// <summary>
/// How a failing handler is retried (issue 13). An infrastructure failure (database, network,
/// broker: a PostgreSQL restart of a few seconds) is not the message's fault: the handler is run
/// again in place with exponential back-off for up to <see cref="MessagingOptions.InfrastructureRetryWindow"/>
/// without using up the message's delivery attempts, so an outage never dead-letters receipt
/// batches or STOPs. Any other failure uses an attempt, and attempts are spaced exponentially.
/// </summary>
internal static class HandlerRetry
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    public static bool IsInfrastructure(Exception e) => e switch
    {
        DbException or TimeoutException or SocketException or IOException or MessagePublishException
            or BrokerUnreachableException or AlreadyClosedException or OperationInterruptedException => true,
        // EF Core wraps transient provider errors (a dropped connection, "the connection is not open").
        _ when e.InnerException is { } inner => IsInfrastructure(inner),
        _ => false,
    };

    public static async Task RunAsync(Func<CancellationToken, Task> handle, MessagingOptions options, ILogger logger, string queue, CancellationToken ct)
    {
        var started = Environment.TickCount64;
        var delay = options.RetryDelay > TimeSpan.Zero ? options.RetryDelay : TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await handle(ct);
                return;
            }
            catch (Exception e) when (IsInfrastructure(e) && !ct.IsCancellationRequested
                && Environment.TickCount64 - started + delay.TotalMilliseconds < options.InfrastructureRetryWindow.TotalMilliseconds)
            {
                logger.LogWarning("Handler on {Queue} hit an infrastructure error, retrying in {Delay} without using an attempt: {Error}", queue, delay, e.Message);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }

    /// <summary>Pause before attempt <paramref name="attempt"/> is handed back: RetryDelay, then doubling, at most 30 s.</summary>
    public static TimeSpan Backoff(TimeSpan retryDelay, int attempt) =>
        retryDelay <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(retryDelay.Ticks << Math.Clamp(attempt - 1, 0, 20), MaxDelay.Ticks));
}
