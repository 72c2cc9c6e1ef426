using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Smpp.Esme;
using Portal.Tests.Support;
using static Portal.Tests.Cli.CliRun;

namespace Portal.Tests.Cli;

/// <summary>The operators' verbs (<c>seed</c>, <c>rollups</c>, <c>verify-audit</c>, <c>deadletters</c>, <c>smsc</c>) run in-process.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class CliVerbTests
{
    [Fact]
    public async Task Seed_WithoutACount_OrWithBadEvents_PrintsUsage_Exit2()
    {
        var none = await VerbAsync("seed");
        Assert.Equal(2, none.Code);
        Assert.Contains("Usage: seed --clients N", none.Error, StringComparison.Ordinal);
        var events = await VerbAsync("seed", "--clients", "10", "--events-per-client", "5000");
        Assert.Equal(2, events.Code);
        Assert.Contains("--events-per-client takes a number from 0 to 1000.", events.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seed_GrowsTheBase_WithEventsAndHistory_ThenResumes_AndRollupsRecompute()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var first = await VerbAsync(["seed", "--clients", "120", "--events-per-client", "2", "--history", .. On(db)]);
        Assert.True(first.Code == 0, first.ToString());
        Assert.Contains("Added 120 demo clients", first.Out, StringComparison.Ordinal);
        Assert.Contains("the base holds 120.", first.Out, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"Added [\d,]+ demo events in"), first.Out);
        Assert.Matches(new Regex(@"Added \d+ past campaigns"), first.Out);
        await using (var context = db.CreateContext())
        {
            Assert.Equal(120, await context.Clients.CountAsync());
            Assert.True(await context.ClientEvents.AnyAsync());
        }

        var again = await VerbAsync(["seed", "--clients", "100", "--history", .. On(db)]);
        Assert.True(again.Code == 0, again.ToString());
        Assert.Contains("The base already holds 120 demo clients.", again.Out, StringComparison.Ordinal);
        Assert.Contains("The demo history is there already.", again.Out, StringComparison.Ordinal);

        await using (var context = db.CreateContext())
        {
            await context.Clients.ExecuteUpdateAsync(s => s.SetProperty(c => c.LastPurchaseEventAt, (DateTime?)null));
        }
        var rollups = await VerbAsync(["rollups", .. On(db)]);
        Assert.True(rollups.Code == 0, rollups.ToString());
        var updated = int.Parse(Regex.Match(rollups.Out, @"Event roll-ups of ([\d,]+) clients recomputed").Groups[1].Value.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(updated, 1, 120);
        await using (var context = db.CreateContext())
        {
            Assert.True(await context.Clients.AnyAsync(c => c.LastPurchaseEventAt != null), "roll-ups not recomputed");
        }
    }

    [Fact]
    public async Task VerifyAudit_IntactChain_PrintsTheHead_AndAMissingRecordedHeadIsTampering()
    {
        await using var db = await SeededAsync(DatabaseProvider.Sqlite, 20, "--history");
        var intact = await VerbAsync(["verify-audit", .. On(db)]);
        Assert.True(intact.Code == 0, intact.ToString());
        var head = Regex.Match(intact.Out, @"Audit chain intact: [\d,]+ entries\. Head (\S+)");
        Assert.True(head.Success, intact.ToString());

        if (head.Groups[1].Value != "(empty)")
        {
            var same = await VerbAsync(["verify-audit", "--head", head.Groups[1].Value, .. On(db)]);
            Assert.True(same.Code == 0, same.ToString());
        }
        var gone = await VerbAsync(["verify-audit", "--head", "999999:abc", .. On(db)]);
        Assert.Equal(2, gone.Code);
        Assert.Contains("seq=999999: the recorded head is gone (entries cut off the end)", gone.Out, StringComparison.Ordinal);
        Assert.Contains("Audit chain BROKEN: 1 problem(s)", gone.Out, StringComparison.Ordinal);

        var malformed = await VerbAsync(["verify-audit", "--head", "nonsense", .. On(db)]);
        Assert.Equal(1, malformed.Code);
        Assert.Contains("--head must be SEQ:HASH", malformed.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLetters_ListsEveryQueue_ReplaysOne_RefusesUnknownQueuesAndActions()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var list = await VerbAsync(["deadletters", .. On(db)]);
        Assert.True(list.Code == 0, list.ToString());
        Assert.Equal(3, Regex.Matches(list.Out, @"^\S+: 0 waiting, 0 dead letters", RegexOptions.Multiline).Count);
        var queue = Regex.Match(list.Out, @"^(\S+): 0 waiting", RegexOptions.Multiline).Groups[1].Value;

        var replay = await VerbAsync(["deadletters", "replay", "--queue", queue, .. On(db)]);
        Assert.True(replay.Code == 0, replay.ToString());
        Assert.Contains($"{queue}: 0 dead letters moved back to the queue", replay.Out, StringComparison.Ordinal);

        var unknown = await VerbAsync(["deadletters", "list", "--queue", "nope", .. On(db)]);
        Assert.Equal(2, unknown.Code);
        Assert.Contains("Unknown queue 'nope'. Portal's queues: ", unknown.Error, StringComparison.Ordinal);

        var action = await VerbAsync(["deadletters", "purge", .. On(db)]);
        Assert.Equal(2, action.Code);
        Assert.Contains("Usage: deadletters [list|replay]", action.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smsc_ForAFewSeconds_AcceptsASubmitWithItsCredentials_AndPrintsTheCounts()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var verb = VerbAsync("smsc", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seconds", "4", "--system-id", "tester", "--password", "pw",
            "--receipt-delay-ms", "5", "--latency-ms", "1", "--enquire-link-s", "30", "--throttle-rate", "0", "--nack-rate", "0",
            "--no-response-rate", "0", "--drop-every", "0", "--outcomes", "1,0");
        await using (var connector = new SmppConnector(new SmppConnectorOptions
        {
            Name = "test", Host = "127.0.0.1", Port = port, SystemId = "tester", Password = "pw", MatchReceipts = false,
            ResponseTimeout = TimeSpan.FromSeconds(3),
        }))
        {
            await connector.StartAsync();
            Assert.True(await connector.WaitForBindsAsync(1, TimeSpan.FromSeconds(3)), "no bind");
            var outcome = await connector.SubmitAsync(new SmsSubmission("1", "Test", "79990000000", "Hello") { RequestReceipt = false });
            Assert.IsType<SubmitOutcome.Accepted>(outcome);
        }
        var run = await verb;
        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains($"SMSC simulator listening on 127.0.0.1:{port} (configured credentials)", run.Out, StringComparison.Ordinal);
        Assert.Contains("binds 1, submit_sm 1, accepted 1, throttled 0", run.Out, StringComparison.Ordinal);
    }
}
