using Microsoft.EntityFrameworkCore;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Sending;

/// <summary>One SMS for a provider. <see cref="MessageId"/> comes back with its receipts.</summary>
public sealed record OutgoingSms(long MessageId, string From, string To, string Text, TimeSpan? Validity);

/// <summary>What a provider said: Submitted (with its id), Rejected, Uncertain, or NotSent (safe to send later).</summary>
public sealed record SendResult(MessageStatus Status, string? ProviderMessageId, int Parts, string? ErrorCode, bool NotSent = false);

/// <summary>A way to hand SMS to one provider (SMPP today; HTTP providers in the providers issue).</summary>
public interface ISmsSender
{
    Task<SendResult> SendAsync(OutgoingSms sms, CancellationToken ct);
}

public sealed record RoutedProvider(int ProviderId, string Name, decimal PartPrice, ISmsSender Sender);

/// <summary>
/// Picks the provider for a message. Today: the campaign's named provider, else the cheapest
/// enabled one. The providers issue fills in operator-aware least-cost routing and health here.
/// </summary>
public interface IMessageRouter
{
    ValueTask<RoutedProvider?> RouteAsync(Campaign? campaign, string phone, CancellationToken ct);
}

internal sealed class DefaultMessageRouter(IDbContextFactory<PortalDbContext> contexts, ProviderConnections connections) : IMessageRouter
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile ProviderRow[]? _providers;
    private long _loadedAt;

    private sealed record ProviderRow(int Id, string Name, ProviderKind Kind, string SettingsJson, decimal Price);

    public async ValueTask<RoutedProvider?> RouteAsync(Campaign? campaign, string phone, CancellationToken ct)
    {
        var providers = _providers;
        if (providers is null || Environment.TickCount64 - Interlocked.Read(ref _loadedAt) > 10_000)
        {
            // One reload at a time: hundreds of submits in flight must not each open a connection.
            await _refresh.WaitAsync(ct);
            try
            {
                providers = _providers;
                if (providers is null || Environment.TickCount64 - Interlocked.Read(ref _loadedAt) > 10_000)
                {
                    await using var db = await contexts.CreateDbContextAsync(ct);
                    providers = (await db.Providers.AsNoTracking().Where(p => p.Enabled && p.Kind == ProviderKind.Smpp)
                        .Select(p => new ProviderRow(p.Id, p.Name, p.Kind, p.SettingsJson, p.DefaultPartPrice)).ToListAsync(ct))
                        .OrderBy(p => p.Price).ThenBy(p => p.Id).ToArray();
                    _providers = providers;
                    Interlocked.Exchange(ref _loadedAt, Environment.TickCount64);
                }
            }
            finally
            {
                _refresh.Release();
            }
        }
        var chosen = campaign?.ProviderId is int id ? providers.FirstOrDefault(p => p.Id == id) : providers.FirstOrDefault();
        if (chosen is null) return null;
        var sender = await connections.GetAsync(chosen.Id, chosen.Name, chosen.SettingsJson, ct);
        return new RoutedProvider(chosen.Id, chosen.Name, chosen.Price, sender);
    }

    /// <summary>Forget cached provider rows (after an admin edits them, or the embedded simulator moved port).</summary>
    public void Invalidate() => _providers = null;
}
