namespace Portal.Infrastructure.Messaging;

/// <param name="Ready">Messages waiting for a consumer; delivered but unacknowledged ones are not counted.</param>
/// <param name="DeadLettered">Messages in the queue's dead-letter queue.</param>
public sealed record QueueStats(string Queue, long Ready, long DeadLettered);
