using System.Diagnostics;

namespace Portal.Infrastructure.Telemetry;

/// <summary>
/// Portal's trace source (issue 22): campaign launch -> chunk publish -> chunk process -> sender
/// batch -> SMPP submit, one trace across the bus. The W3C trace context travels in message headers
/// (RabbitMQ) or the envelope (in-process bus). Spans carry ids (campaign, chunk, message), never
/// phones or texts. Without a listener (tracing off) every StartActivity returns null and costs nothing.
/// </summary>
public static class PortalTelemetry
{
    public const string SourceName = "Portal";

    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    public static readonly ActivitySource Source = new(SourceName, typeof(PortalTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>A producer span for one publish; its id is what goes into the message's traceparent.</summary>
    public static Activity? StartPublish(string queue) => Source.StartActivity(queue + " publish", ActivityKind.Producer)
        ?.SetTag("messaging.system", "rabbitmq")
        .SetTag("messaging.operation.type", "send")
        .SetTag("messaging.destination.name", queue);

    /// <summary>The consumer span of one delivery, child of the publisher's span when the message carried a traceparent.</summary>
    public static Activity? StartProcess(string queue, string? traceParent, string? traceState)
    {
        if (!Source.HasListeners()) return null;
        ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent);
        return Source.StartActivity(queue + " process", ActivityKind.Consumer, parent)
            ?.SetTag("messaging.system", "rabbitmq")
            .SetTag("messaging.operation.type", "process")
            .SetTag("messaging.destination.name", queue);
    }

    /// <summary>One SMPP/HTTP submit of one message (the message id is a row id, not personal data).</summary>
    public static Activity? StartSubmit(string provider, long messageId) => Source.StartActivity("provider submit", ActivityKind.Client)
        ?.SetTag("portal.provider", provider)
        .SetTag("portal.message.id", messageId);

    /// <summary>AMQP headers carrying the span's context to the consumer; null without a span.</summary>
    public static IDictionary<string, object?>? Headers(Activity? span)
    {
        if (span is null) return null;
        var headers = new Dictionary<string, object?>(2) { [TraceParentHeader] = span.Id };
        if (!string.IsNullOrEmpty(span.TraceStateString)) headers[TraceStateHeader] = span.TraceStateString;
        return headers;
    }

    /// <summary>The traceparent of received AMQP headers (strings arrive as UTF-8 bytes).</summary>
    public static string? TraceParentOf(IDictionary<string, object?>? headers) =>
        headers?.TryGetValue(TraceParentHeader, out var value) == true
            ? value switch
            {
                byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
                string s => s,
                _ => null,
            }
            : null;

    /// <summary>The current span's W3C traceparent (null when there is none).</summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } a ? a.Id : null;
}
