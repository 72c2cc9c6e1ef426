using System.Diagnostics.Metrics;

namespace Portal.Infrastructure.Telemetry;

/// <summary>
/// One host's observable gauges, read by <see cref="PortalMetrics"/> at collection time. Dashboard's
/// <c>NodeTelemetry</c> implements it from the sending pipeline's state, so Telemetry, which every
/// part records into, depends on none of them.
/// </summary>
internal interface INodeGauges
{
    IEnumerable<Measurement<long>> WindowInUse();

    IEnumerable<Measurement<long>> BindsUp();

    IEnumerable<Measurement<long>> SubmitSmSent();

    IEnumerable<Measurement<long>> Throttled();

    IEnumerable<Measurement<long>> Circuits();

    IEnumerable<Measurement<long>> QueueDepth();

    IEnumerable<Measurement<long>> DeadLetters();

    IEnumerable<Measurement<long>> CampaignsRunning();

    IEnumerable<Measurement<long>> Up();
}
