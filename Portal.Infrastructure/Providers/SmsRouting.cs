using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Providers;

/// <summary>One SMS for a provider. <see cref="MessageId"/> comes back with its receipts.</summary>
public sealed record OutgoingSms(long MessageId, string From, string To, string Text, TimeSpan? Validity)
{
    /// <summary>Asked for as a flash SMS (class 0, issue 17 alarms); a sender whose provider lacks the capability sends it plain.</summary>
    public bool Flash { get; init; }

    /// <summary>The route's price per part, handed back with the receipts (see <see cref="Smpp.Esme.SmsSubmission.PartPrice"/>).</summary>
    public decimal? PartPrice { get; init; }
}

/// <summary>
/// What a provider said: Submitted (with its id), Rejected, Uncertain, or NotSent (safe to send later).
/// <see cref="Parts"/> counts the parts the provider accepted (charged), also of a long message
/// refused at a later part; <see cref="PartIds"/> holds each accepted part's id, in order, when
/// there is more than one part. <see cref="Throttled"/>: the provider only asked us to slow down
/// (ESME_RTHROTTLED until validity ran out), which says nothing about its health.
/// </summary>
public sealed record SendResult(MessageStatus Status, string? ProviderMessageId, int Parts, string? ErrorCode, bool NotSent = false)
{
    public IReadOnlyList<string>? PartIds { get; init; }

    public bool Throttled { get; init; }
}

/// <summary>A way to hand SMS to one provider (SMPP today; HTTP providers in the providers issue).</summary>
public interface ISmsSender
{
    Task<SendResult> SendAsync(OutgoingSms sms, CancellationToken ct);
}

public sealed record RoutedProvider(int ProviderId, string Name, decimal PartPrice, ISmsSender Sender);

/// <summary>
/// Picks the provider for a message: <see cref="LeastCostMessageRouter"/> (the campaign's
/// named provider, else the cheapest healthy one for the number, with failover).
/// </summary>
public interface IMessageRouter
{
    ValueTask<RoutedProvider?> RouteAsync(Campaign? campaign, string phone, CancellationToken ct);

    /// <summary>Routes a message without a campaign (the priority lane): the named provider, else least cost.</summary>
    ValueTask<RoutedProvider?> RouteToAsync(int? providerId, string phone, CancellationToken ct) => RouteAsync(null, phone, ct);

    /// <summary>
    /// Opens the connection to every enabled provider, so an SMSC holding replies and receipts can
    /// deliver them to a node that has not sent anything yet (connections open lazily otherwise).
    /// </summary>
    Task ConnectAllAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>Sender nodes sharing the work right now (this one included): a campaign's speed limit is split between them (issue 13).</summary>
    int LiveNodes => 1;
}
