namespace Portal.Infrastructure.Telemetry;

/// <summary>Configuration section "Telemetry" (issue 22, docs/operations.md).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>False: no metrics at all (no meter listener, no /metrics). For the metrics-cost benchmark.</summary>
    public bool Enabled { get; set; } = true;

    public PrometheusOptions Prometheus { get; set; } = new();

    public OtlpOptions Otlp { get; set; } = new();

    /// <summary>
    /// Traces (spans for launch, chunk publish/process, sender batch, SMPP submit). Null: on when an
    /// OTLP endpoint is set or logs are JSON (so log lines carry a trace id), off otherwise.
    /// </summary>
    public bool? Tracing { get; set; }

    /// <summary>How often queue depths, dead letters and running campaigns are read (broker and database calls).</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    public sealed class PrometheusOptions
    {
        /// <summary>Path of the scrape endpoint on the web host.</summary>
        public string Path { get; set; } = "/metrics";

        /// <summary>
        /// A port of its own (a listener outside Kestrel, also on hosts without a web server such as
        /// the CLI verbs): 0 = none, the web host serves <see cref="Path"/>.
        /// </summary>
        public int Port { get; set; }

        /// <summary>Host the own-port listener binds: "+" = every interface, "localhost" = loopback only.</summary>
        public string Host { get; set; } = "+";
    }

    public sealed class OtlpOptions
    {
        /// <summary>OTLP collector, e.g. http://otel-collector:4317. Empty = traces are not exported.</summary>
        public string? Endpoint { get; set; }

        /// <summary>grpc or http/protobuf.</summary>
        public string Protocol { get; set; } = "grpc";
    }
}
