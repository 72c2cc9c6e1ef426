using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Sending;

namespace Portal.Cli;

/// <summary>
/// <c>deadletters [list|replay] [--queue NAME]</c>: shows the dead letters of Portal's queues, or
/// moves them back to their queues (all three, or one) once the cause is fixed (issue 13).
/// </summary>
internal static class DeadLettersVerb
{
    public static async Task<int> RunAsync(string[] args)
    {
        var action = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? args[1] : "list";
        var only = CliVerbs.Option(args, "queue");
        using var host = VerbHost.Build(args[1..]);
        var deadLetters = host.Services.GetRequiredService<DeadLetters>();
        var bus = host.Services.GetRequiredService<IMessageBus>();
        var queues = deadLetters.Queues.Where(q => only is null || q == only).ToList();
        if (queues.Count == 0)
        {
            Console.Error.WriteLine($"Unknown queue '{only}'. Portal's queues: {string.Join(", ", deadLetters.Queues)}");
            return 2;
        }
        switch (action)
        {
            case "list":
                foreach (var queue in queues)
                {
                    var stats = await bus.GetStatsAsync(queue);
                    Console.WriteLine($"{queue}: {stats.Ready:N0} waiting, {stats.DeadLettered:N0} dead letters");
                }
                return 0;
            case "replay":
                foreach (var queue in queues)
                {
                    var moved = await deadLetters.ReplayAsync(queue, null, CancellationToken.None);
                    Console.WriteLine($"{queue}: {moved:N0} dead letters moved back to the queue");
                }
                return 0;
            default:
                Console.Error.WriteLine("Usage: deadletters [list|replay] [--queue NAME]");
                return 2;
        }
    }
}
