using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Imports;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Seeding;

namespace Portal.Cli.Bench;

/// <summary>
/// <c>bench import --rows N</c>: writes a CRM-style CSV of N clients (not timed), then imports it
/// into the configured database through <see cref="ClientImporter"/>, as the UI does, and prints
/// the time per phase, rows/s and peak memory. On an empty database every row is an insert; run it
/// again for the all-updates figure.
/// </summary>
public static class ImportBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = int.Parse(CliVerbs.Option(args, "rows") ?? "1900000", CultureInfo.InvariantCulture);
        using var host = VerbHost.Build(args[2..]);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(CancellationToken.None);
        }
        var path = Path.Combine(Path.GetTempPath(), $"portal-bench-import-{rows}.csv");
        var write = Stopwatch.StartNew();
        await WriteCsvAsync(path, rows);
        Console.WriteLine($"CSV: {rows:N0} rows, {new FileInfo(path).Length / 1048576.0:N0} MiB, written in {write.Elapsed.TotalSeconds:N1} s (not timed)");

        var importer = host.Services.GetRequiredService<ClientImporter>();
        string[] headers;
        using (var file = TabularFile.Open(path, "bench.csv"))
        {
            headers = [.. file.Headers];
        }
        var request = new ImportRequest(path, "bench.csv", headers.Select(ClientFieldHeaders.Guess).ToList(), ImportMode.ValidRowsOnly, ImportMatch.ExternalId, "bench");
        var clock = Stopwatch.StartNew();
        var phases = new List<(ImportPhase Phase, TimeSpan At)>();
        var progress = new SyncProgress(p =>
        {
            if (phases.Count == 0 || phases[^1].Phase != p.Phase)
            {
                phases.Add((p.Phase, clock.Elapsed));
            }
        });
        var jobId = await importer.CreateJobAsync(request, CancellationToken.None);
        var job = await importer.RunAsync(jobId, request, progress, CancellationToken.None);
        clock.Stop();

        var seconds = clock.Elapsed.TotalSeconds;
        var provider = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value.Provider;
        Console.WriteLine($"Import into {provider}: {job.Status}, {job.TotalRows:N0} rows ({job.Inserted:N0} inserted, {job.Updated:N0} updated, {job.Rejected:N0} rejected)");
        Console.WriteLine($"  total {seconds:N1} s = {job.TotalRows / seconds:N0} rows/s; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576:N0} MiB");
        for (var i = 0; i < phases.Count; i++)
        {
            var end = i + 1 < phases.Count ? phases[i + 1].At : clock.Elapsed;
            Console.WriteLine($"  {phases[i].Phase,-9} {(end - phases[i].At).TotalSeconds,6:N1} s");
        }
        if (CliVerbs.Option(args, "keep-file") is null)
        {
            File.Delete(path);
        }
        return job.Status == ImportStatus.Completed ? 0 : 1;
    }

    /// <summary>Progress without a synchronization context hop, so phase times are exact.</summary>
    private sealed class SyncProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }

    private static async Task WriteCsvAsync(string path, int rows)
    {
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        await writer.WriteLineAsync("external_id,phone,last_name,first_name,middle_name,gender,birth_date,region,city,registered_at,loyalty_tier,tariff,total_spend,purchase_count,last_purchase_at,advertising_consent");
        var today = DateTime.UtcNow.Date;
        foreach (var c in DemoClientGenerator.Generate(0, rows, today))
        {
            await writer.WriteLineAsync(string.Join(',',
                c.ExternalId.Replace("DEMO-", "CRM-"), c.Phone, c.LastName, c.FirstName, c.MiddleName, c.Gender == Domain.Clients.Gender.Male ? "M" : "F",
                c.BirthDate.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture), c.RegionCode, c.City,
                c.RegisteredAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), c.LoyaltyTier, c.Tariff,
                c.TotalSpend.ToString(CultureInfo.InvariantCulture), c.PurchaseCount,
                c.LastPurchaseAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "", c.AdvertisingConsent ? "1" : "0"));
        }
    }
}
