using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Smpp.Simulator;
using Portal.Tests.Infrastructure.Providers;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Http;

/// <summary>
/// The whole HTTP path with real parts: the Portal host on Kestrel (loopback; Kannel calls its
/// receipts endpoint), one HTTP provider with the Kannel preset, a real Kannel, and our SMSC
/// simulator behind Kannel over SMPP.
/// </summary>
public sealed class KannelFixture : IAsyncLifetime
{
    public const string CallbackSecret = "kannel-callback-secret-0123";
    private const string SmppSystemId = "kannel";
    private const string SmppPassword = "kpw";

    public SmscSimulator Simulator { get; } = new(new SmscSimulatorOptions
    {
        KeepMessages = true,
        ReceiptDelay = TimeSpan.FromMilliseconds(20),
        Credentials = { [SmppSystemId] = SmppPassword },
    });

    public KannelProcess Kannel { get; private set; } = null!;
    public PortalAppFactory App { get; private set; } = null!;
    public int ProviderId { get; private set; }

    public async Task InitializeAsync()
    {
        var smsc = await Simulator.StartAsync();
        Kannel = await KannelProcess.StartAsync(smsc.Port, SmppSystemId, SmppPassword);
        App = new PortalAppFactory(DatabaseProvider.Sqlite, demoClients: 0)
        {
            Settings =
            {
                ["Sending:EmbeddedSimulator"] = "false",
                ["Scheduling:Enabled"] = "false",
                ["Sending:SweepInterval"] = "00:00:00.500",
                ["Sending:ReceiptRetryDelay"] = "00:00:00.200",
            },
        };
        await App.StartAsync(kestrel: true);
        var store = App.Services.GetRequiredService<ProviderStore>();
        ProviderId = await store.CreateAsync(ProviderHarness.Admin, new ProviderDraft
        {
            Name = "Kannel",
            Kind = ProviderKind.Http,
            DefaultPartPrice = 0.5m,
            Http = HttpProviderDraft.From(HttpProviderSettings.Kannel(Kannel.BaseUrl, KannelProcess.Username)),
            Password = KannelProcess.Password,
            CallbackSecret = CallbackSecret,
        }, default);
    }

    /// <summary>A new client (<paramref name="phone"/> unused so far) and a message row "submitted", as the sender leaves it, for a receipt to finish.</summary>
    public async Task<long> SubmittedMessageAsync(string phone)
    {
        var contexts = App.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        var now = DateTime.UtcNow;
        var client = new Client(PhoneNumber.Parse(phone), "Ivan", null, now);
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        var message = new Message(null, client.Id, phone, now) { Status = MessageStatus.Submitted, ProviderId = ProviderId, SubmittedAt = now, Parts = 1 };
        db.Messages.Add(message);
        await db.SaveChangesAsync();
        return message.Id;
    }

    public async Task<Message> MessageAsync(long id)
    {
        var contexts = App.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        return await db.Messages.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    /// <summary>Polls until <paramref name="done"/> holds or 30 s pass; the message says what Kannel saw.</summary>
    public async Task<Message> WaitForAsync(long id, Func<Message, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var message = await MessageAsync(id);
            if (done(message)) return message;
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"message {id} stayed {message.Status}.\n{await Kannel.StatusAsync()}\n{Kannel.LogTail()}");
            }
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        if (Kannel is not null) await Kannel.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
