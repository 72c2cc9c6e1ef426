using Portal.Domain.Campaigns;
using Portal.Domain.Messages;
using Portal.Infrastructure.Providers;

namespace Portal.Tests.Infrastructure.Providers;

/// <summary>What a router that implements only RouteAsync gets from <see cref="IMessageRouter"/>'s defaults.</summary>
public class MessageRouterDefaultsTests
{
    private sealed class OnlyLeastCost : IMessageRouter, ISmsSender
    {
        public List<string> Routed { get; } = [];

        public ValueTask<RoutedProvider?> RouteAsync(Campaign? campaign, string phone, CancellationToken ct)
        {
            Routed.Add(phone);
            return ValueTask.FromResult<RoutedProvider?>(new RoutedProvider(1, "cheap", 0.2m, this));
        }

        public Task<SendResult> SendAsync(OutgoingSms sms, CancellationToken ct) => Task.FromResult(new SendResult(MessageStatus.Submitted, "x", 1, null));
    }

    [Fact]
    public async Task Defaults_NamedProviderFallsBackToLeastCost_ConnectAllDoesNothing_OneLiveNode()
    {
        var inner = new OnlyLeastCost();
        IMessageRouter router = inner;

        var route = await router.RouteToAsync(42, "+79161234567", default);
        await router.ConnectAllAsync(default).WaitAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(1, route!.ProviderId); // the named provider 42 is not known to this router: least cost decides
        Assert.Equal(["+79161234567"], inner.Routed);
        Assert.Equal(1, router.LiveNodes);
    }
}
