using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Domain.Messages;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Providers;

/// <summary>
/// Issue 21, typed provider settings end to end: the stored row is parsed and its secrets decrypted at
/// the registry boundary, once per change; connections are cached by provider id and runtime version.
/// </summary>
public class ProviderRuntimeTests
{
    private const string Phone = "+79161234567";

    [Fact]
    public async Task Router_ReusesTheConnectionAndDecryptsOnce_WhileTheRowIsUnchanged_AndReplacesItWhenTheSettingsChange()
    {
        await using var h = await ProviderHarness.CreateAsync(DatabaseProvider.Sqlite);
        await using var smsc = new SmscSimulator(new SmscSimulatorOptions { KeepMessages = true, Credentials = { ["alpha"] = "pwA" } });
        var port = (await smsc.StartAsync()).Port;
        var id = await h.Store.CreateAsync(ProviderHarness.Admin, ProviderHarness.Smpp("Alpha", port, "alpha", "pwA", 0.20m), default);
        var protection = new CountingProtection(h.Protection);
        var router = h.Router(new ProviderSecrets(protection));

        var first = await router.RouteAsync(null, Phone, default);
        var connector = Assert.Single(h.Connections!.Connected()).Connector;
        for (var i = 0; i < 3; i++)
        {
            // A price or another provider changed: the router reloads the registry, this row is the same.
            h.Version.Bump();
            Assert.Equal(id, (await router.RouteAsync(null, Phone, default))!.ProviderId);
        }

        Assert.Equal(id, first!.ProviderId);
        Assert.Equal(1, h.Connections.ConnectsStarted);
        Assert.Same(connector, Assert.Single(h.Connections.Connected()).Connector);
        Assert.Equal(1, protection.Unprotects);

        // The admin edits the provider: a new version, a new connector with the new settings, decrypted once more.
        var draft = await h.Store.GetAsync(id, default);
        draft.WindowSize = 20;
        await h.Store.UpdateAsync(ProviderHarness.Admin, id, draft, default);
        var edited = await router.RouteAsync(null, Phone, default);
        h.Version.Bump();
        await router.RouteAsync(null, Phone, default);

        Assert.Equal(2, h.Connections.ConnectsStarted);
        var replaced = Assert.Single(h.Connections.Connected()).Connector;
        Assert.NotSame(connector, replaced);
        Assert.Equal(20, replaced.Options.WindowSize);
        Assert.Equal(2, protection.Unprotects);
        Assert.Equal(MessageStatus.Submitted, (await edited!.Sender.SendAsync(new OutgoingSms(1, "Portal", Phone, "Hello", TimeSpan.FromHours(1)), default)).Status);
        Assert.Single(smsc.Messages);
    }

    [Fact]
    public async Task Connections_KeepTheSenderForItsVersion_RebuildForANewerOne_AndNeverGoBackToAnOlder()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddHttpClient();
        services.AddSingleton(Options.Create(new ProvidersOptions { CallbackBaseUrl = "http://portal.test/" }));
        services.AddSingleton<ProviderCallbackUrls>();
        services.AddSingleton<HttpProviderSenders>();
        await using var sp = services.BuildServiceProvider();
        await using var bus = new InProcessMessageBus(new MessagingOptions(), NullLogger<InProcessMessageBus>.Instance);
        await using var connections = new ProviderConnections(new ReceiptForwarder(bus, Options.Create(new SendingOptions()), NullLogger<ReceiptForwarder>.Instance),
            NullLoggerFactory.Instance, httpSenders: sp.GetRequiredService<HttpProviderSenders>());
        ProviderSettings Settings(int timeout) => new()
        {
            Password = "t0ken",
            Http = new HttpProviderSettings { Method = "POST", UrlTemplate = "http://127.0.0.1:9/send", TimeoutSeconds = timeout },
        };
        var v1 = new ProviderRuntime(7, "Gateway", 1, Settings(5));
        var v2 = new ProviderRuntime(7, "Gateway", 2, Settings(9));

        var a = await connections.GetAsync(v1, default);
        var again = await connections.GetAsync(v1 with { Settings = Settings(5) }, default);
        var b = await connections.GetAsync(v2, default);
        var stale = await connections.GetAsync(v1, default);

        Assert.Same(a, again);
        Assert.NotSame(a, b);
        Assert.Equal(9, ((HttpSmsSender)b).Options.Settings.TimeoutSeconds);
        Assert.Same(b, stale);
    }

    /// <summary>Counts decryptions (every stored secret is one Unprotect).</summary>
    private sealed class CountingProtection(IDataProtectionProvider inner) : IDataProtectionProvider
    {
        private int _unprotects;

        public int Unprotects => Volatile.Read(ref _unprotects);

        public IDataProtector CreateProtector(string purpose) => new Protector(this, inner.CreateProtector(purpose));

        private sealed class Protector(CountingProtection owner, IDataProtector inner) : IDataProtector
        {
            public IDataProtector CreateProtector(string purpose) => new Protector(owner, inner.CreateProtector(purpose));

            public byte[] Protect(byte[] plaintext) => inner.Protect(plaintext);

            public byte[] Unprotect(byte[] protectedData)
            {
                Interlocked.Increment(ref owner._unprotects);
                return inner.Unprotect(protectedData);
            }
        }
    }
}
