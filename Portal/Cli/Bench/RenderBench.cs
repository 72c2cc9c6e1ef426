using System.Diagnostics;
using System.Globalization;
using Fluid;
using Portal.Domain.Clients;
using Portal.Domain.Templates;

namespace Portal.Cli.Bench;

/// <summary>
/// <c>bench render [--count 2000000]</c>: single-thread renders per second and bytes allocated per
/// message of Portal's sandboxed engine (render + alphabet + part count, what the sender does per
/// message) for a typical ~94-character Russian template with three merge fields, next to Fluid
/// alone rendering the same text from a registered CLR model (the baseline).
/// </summary>
public static class RenderBench
{
    private const string Body = "{{ client.first_name }}, ваш баланс {{ client.balance | money }}. Скидка 20% на всё до {{ campaign.date | short_date }}, ждём вас в магазине PortalShop!";
    private const string PlainBody = "{{ client.first_name }}, ваш баланс {{ client.balance }} руб. Скидка 20% на всё до {{ campaign.sender }}, ждём вас в магазине PortalShop!";
    private const string FluidBody = "{{ FirstName }}, ваш баланс {{ Balance }} руб. Скидка 20% на всё до {{ Sender }}, ждём вас в магазине PortalShop!";

    public static Task<int> RunAsync(string[] args)
    {
        var count = CliVerbs.Option(args, "count") is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : 2_000_000;
        var names = new[] { "Анна", "Иван", "Maria", "John", "Екатерина", "Ольга", "Peter", "Дмитрий" };
        var clients = Enumerable.Range(0, 1024).Select(i => new Client(PhoneNumber.Parse($"+7916{i:D7}"), names[i % names.Length], "Иванова", DateTime.UtcNow)
        {
            Balance = 100m + i * 13.37m,
            Language = i % 5 == 0 ? "en" : "ru",
        }).ToArray();
        var campaign = new CampaignMergeFields("Black Friday", "PortalShop", new DateTime(2026, 11, 27, 9, 0, 0, DateTimeKind.Utc));
        var engine = new TemplateEngine();

        var sample = engine.Compile(Body).Render(clients[0], null, campaign);
        Console.WriteLine($"Template: {Body.Length} chars source, rendered e.g. {sample.Text.Length} chars, {sample.Alphabet}, {sample.Parts} part(s); {count:N0} renders per run, 1 thread");

        var withFilters = engine.Compile(Body);
        Report("Portal engine, money + short_date filters", count, i => withFilters.Render(clients[i & 1023], null, campaign).Parts);
        var plain = engine.Compile(PlainBody);
        Report("Portal engine, 3 plain fields", count, i => plain.Render(clients[i & 1023], null, campaign).Parts);

        var options = new TemplateOptions();
        options.MemberAccessStrategy.Register<BaselineModel>();
        var fluid = new FluidParser().Parse(FluidBody);
        var models = clients.Select(x => new BaselineModel(x.FirstName!, x.Balance, "PortalShop")).ToArray();
        Report("Fluid alone (CLR model, new context per render, no part count)", count, i => fluid.Render(new TemplateContext(models[i & 1023], options)).Length);
        return Task.FromResult(0);
    }

    private static void Report(string name, int count, Func<int, int> render)
    {
        for (var i = 0; i < Math.Min(count, 200_000); i++) render(i); // JIT, tiering, caches
        var checksum = 0L;
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) checksum += render(i);
        clock.Stop();
        bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        Console.WriteLine(FormattableString.Invariant($"{name,-66} {count / clock.Elapsed.TotalSeconds,12:N0} renders/s  {(double)bytes / count,7:N0} B/message  (checksum {checksum})"));
    }

    public sealed record BaselineModel(string FirstName, decimal Balance, string Sender);
}
