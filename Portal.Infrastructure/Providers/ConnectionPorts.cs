using System.Net;
using Portal.Infrastructure.Smpp.Esme;

namespace Portal.Infrastructure.Providers;

// What a node's provider connections hand on and need, implemented by the folders that own the work
// (issue 21: Sending and Inbound use Providers, never the other way round).

/// <summary>
/// Where SMPP connections hand the replies clients send (MO messages); Inbound's <c>MoForwarder</c>
/// reassembles them and puts them on the inbound queue. Defined here so Providers never names Inbound.
/// </summary>
public interface IMoSink
{
    ValueTask AcceptAsync(int providerId, MoMessageReceived message);

    /// <summary>Runs until <paramref name="ct"/> is cancelled; the sender starts it before its connections and stops it after them.</summary>
    Task RunAsync(CancellationToken ct);
}

/// <summary>
/// Where SMPP connections hand the receipts they read (Sending's <c>ReceiptForwarder</c>, which batches
/// them onto the receipts queue). The delivery behind a receipt is answered once the sink made it durable.
/// </summary>
public interface IReceiptSink
{
    /// <param name="source">The SMPP delivery it came from: acknowledged to the SMSC once the receipt is durable.</param>
    ValueTask WriteAsync(ReceiptItem item, InboundMessage? source = null);
}

/// <summary>
/// This node's built-in SMSC simulator (Sending's <c>EmbeddedSmsc</c>), when it runs one: the shared
/// provider row names <see cref="EmbeddedSmscRow.Host"/> and each node connects it to its own endpoint.
/// </summary>
public interface IEmbeddedSmsc
{
    /// <summary>Where this node's simulator listens; null until it started (or when it does not run here).</summary>
    IPEndPoint? Endpoint { get; }
}

/// <summary>The built-in simulator's shared provider row, as routing and the connections recognise it (issue 13).</summary>
public static class EmbeddedSmscRow
{
    public const string ProviderName = "Built-in SMSC simulator";

    /// <summary>The host name in the shared row: "this node's own embedded simulator".</summary>
    public const string Host = "embedded.portal";
}
