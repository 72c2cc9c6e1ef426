using Microsoft.Extensions.Logging;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Integrations.Sync;

namespace Portal.Tests.Infrastructure.Sync;

/// <summary>Issue 21 (coverage): the schedule of a node that runs no scheduler.</summary>
public class InlineSyncScheduleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private sealed class RecordingLog : ILogger<InlineSyncSchedule>
    {
        public readonly List<(LogLevel Level, string Message, Exception? Error)> Entries = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries) Entries.Add((logLevel, formatter(state, exception), exception));
        }
    }

    /// <summary>
    /// A node without the scheduler: applying or removing a schedule does nothing, nothing fires,
    /// and "run now" runs in the background; a crash there is logged, never thrown at the caller.
    /// </summary>
    [Fact]
    public async Task InlineSchedule_RunsNowInTheBackground_AndLogsACrash()
    {
        var log = new RecordingLog();
        // No runner: the background run throws, as a run whose database is gone would.
        var schedule = new InlineSyncSchedule(null!, log);
        var source = new SyncSource("CRM", SyncSourceKind.HttpJson, SyncTarget.Clients, "x", "", "", "0 0 3 * * ?", "{}");
        await schedule.ApplyAsync(source, default);
        await schedule.RemoveAsync(7, default);
        Assert.Null(await schedule.NextFireAsync(7, default));

        await schedule.TriggerNowAsync(7, default);
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            lock (log.Entries)
            {
                if (log.Entries.Count > 0) break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the crash was not logged");
            await Task.Delay(20);
        }
        var (level, message, exception) = Assert.Single(log.Entries);
        Assert.Equal((LogLevel.Error, "Run of sync source 7 crashed"), (level, message));
        Assert.IsType<NullReferenceException>(exception);
    }
}
