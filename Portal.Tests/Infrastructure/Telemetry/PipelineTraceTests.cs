using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Portal.Domain.Messages;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;

namespace Portal.Tests.Infrastructure.Telemetry;

/// <summary>
/// Issue 22: a campaign's launch, its chunks through real RabbitMQ (traceparent in the message
/// headers), the sender's batches and every SMPP submit are one trace.
/// </summary>
public sealed class PipelineTraceTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LaunchToSubmit_IsOneTrace_AcrossTheBus(bool rabbit)
    {
        const int size = 30;
        var spans = new List<Activity>();
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Sqlite, rabbit, settings: new()
        {
            ["Telemetry:Tracing"] = "true",
            // Two chunks at least: each crosses the bus on its own.
            ["Sending:ChunkSize"] = "20",
        });
        h.TestServices = services => services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans));
        await h.SeedClientsAsync(size);
        await h.StartAsync();
        var campaignId = await h.CreateCampaignAsync();
        await h.Get<CampaignLauncher>().LaunchAsync(campaignId, default);
        await h.WaitUntilAsync(campaignId, c => c.GetValueOrDefault(MessageStatus.Delivered) == size, TimeSpan.FromSeconds(90));

        // Spans end when their work ends; the chunk spans end after the chunk is recorded.
        var chunkQueue = h.QueuePrefix + ".chunks";
        Activity[] trace = [], all = [];
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Activity? launch = null;
        while (DateTime.UtcNow < deadline)
        {
            lock (spans) all = spans.ToArray();
            // The listener hears the whole process: other tests' hosts launch a "campaign 1" of their own
            // meanwhile (CI picked one of those once). This host's launch published to this host's queue.
            launch = all.FirstOrDefault(a => a.DisplayName == "campaign launch" && Equals(a.GetTagItem("portal.campaign.id"), campaignId)
                && all.Any(p => p.ParentSpanId == a.SpanId && p.DisplayName == chunkQueue + " publish"));
            if (launch is not null)
            {
                trace = all.Where(a => a.TraceId == launch.TraceId).ToArray();
                if (trace.Count(a => a.DisplayName == "provider submit") >= size && trace.Count(a => a.Kind == ActivityKind.Consumer) >= 2) break;
            }
            await Task.Delay(200);
        }
        Assert.NotNull(launch);
        // On failure, the spans of this host (its queues, the launch's trace) with their lineage.
        var names = string.Join(", ", trace.GroupBy(a => a.DisplayName).Select(g => $"{g.Key} x{g.Count()}"))
            + "\nthis host's spans:\n" + string.Join("\n", all.Where(a => a.DisplayName.StartsWith(h.QueuePrefix, StringComparison.Ordinal) || a.TraceId == launch?.TraceId).Take(200).Select(a =>
                $"{a.DisplayName} trace={a.TraceId.ToHexString()[..6]} span={a.SpanId.ToHexString()[..6]} parent={a.ParentSpanId.ToHexString()[..6]} "
                + $"start={a.StartTimeUtc:HH:mm:ss.fff} ms={a.Duration.TotalMilliseconds:F0} {string.Join(' ', a.TagObjects.Where(t => t.Key.StartsWith("portal.", StringComparison.Ordinal)).Select(t => $"{t.Key}={t.Value}"))}"));
        var publishes = trace.Where(a => a.DisplayName == chunkQueue + " publish" && a.Kind == ActivityKind.Producer).ToList();
        var processes = trace.Where(a => a.DisplayName == chunkQueue + " process" && a.Kind == ActivityKind.Consumer).ToList();
        Assert.True(publishes.Count >= 2, names);
        Assert.True(processes.Count >= 2, names);
        // Each consumer span is the child of a publish span: the context crossed the bus.
        Assert.All(processes, p => Assert.Contains(publishes, pub => pub.SpanId == p.ParentSpanId));
        Assert.Contains(trace, a => a.DisplayName == "sender batch");
        // Nothing published the chunks a second time outside the launch (the in-process bus's start-up
        // recovery did, when the launch beat it: it now takes only chunks published before the start).
        Assert.DoesNotContain(all, a => a.DisplayName == chunkQueue + " publish" && a.TraceId != launch.TraceId);
        var submits = trace.Where(a => a.DisplayName == "provider submit").ToList();
        Assert.Equal(size, submits.Select(s => s.GetTagItem("portal.message.id")).Distinct().Count());
        // Spans name ids only: no phone or text in any tag.
        Assert.DoesNotContain(trace.SelectMany(a => a.TagObjects), t => t.Value?.ToString()?.Contains("+7900", StringComparison.Ordinal) == true);
    }
}
