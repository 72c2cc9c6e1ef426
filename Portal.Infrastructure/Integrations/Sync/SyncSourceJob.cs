using System.Globalization;
using Quartz;

namespace Portal.Infrastructure.Integrations.Sync;

/// <summary>One Quartz job per sync source; never two runs of the same source at once.</summary>
[DisallowConcurrentExecution]
public sealed class SyncSourceJob(SyncRunner runner) : IJob
{
    public const string Group = "sync";
    public const string SourceIdKey = "sourceId";

    public static JobKey KeyFor(int sourceId) => new($"source-{sourceId.ToString(CultureInfo.InvariantCulture)}", Group);

    public static TriggerKey TriggerFor(int sourceId) => new($"source-{sourceId.ToString(CultureInfo.InvariantCulture)}", Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        // Stored as text so a persistent job store (issue 6) serialises it without surprises.
        var sourceId = int.Parse(context.MergedJobDataMap[SourceIdKey]?.ToString() ?? "", CultureInfo.InvariantCulture);
        await runner.RunAsync(sourceId, cancellationToken);
    }
}
