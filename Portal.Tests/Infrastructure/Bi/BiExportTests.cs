using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Messages;
using Portal.Infrastructure.Bi;
using Portal.Tests.Infrastructure.Smpp;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Bi;

/// <summary>
/// Issue 16: exports on both databases. A masked export, decoded and searched byte by byte, holds
/// no phone, name or text of the seeded clients (a personal export of the same rows does, so the
/// search can fail); the Parquet file read by hyparquet has the database's row count and sums.
/// </summary>
public sealed class BiExportTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task MaskedExport_AllFormats_ContainNoPhoneNameOrText_PersonalOnesDo(DatabaseProvider provider)
    {
        await using var world = await BiWorld.CreateAsync(provider);
        List<string> secrets;
        await using (var db = world.Database.CreateContext())
        {
            var clients = await db.Clients.Select(c => new { c.Phone, c.FirstName, c.LastName }).ToListAsync();
            secrets = [.. clients.Select(c => c.Phone), .. clients.Select(c => c.Phone.TrimStart('+')),
                .. clients.Select(c => c.LastName!).Where(n => n.Length >= 4).Distinct(),
                .. clients.Select(c => c.FirstName + " " + c.LastName).Distinct(), "ZEBRA-7741", "QUOKKA-9", "персональный"];
        }
        Assert.True(secrets.Count > 6_000);
        foreach (var format in Enum.GetValues<BiFormat>())
        {
            foreach (var dataset in new[] { BiDatasets.Messages, BiDatasets.Replies, BiDatasets.Campaigns })
            {
                var masked = Decode(format, await world.ExportBytesAsync(dataset, format, personal: false, compress: false));
                Assert.True(masked.Length > 300, $"{dataset} {format} is empty");
                var leak = secrets.FirstOrDefault(s => masked.Contains(s, StringComparison.Ordinal));
                Assert.True(leak is null, $"{dataset} as {format} ({provider}) contains personal data: {leak}");
            }
            var personal = Decode(format, await world.ExportBytesAsync(BiDatasets.Messages, format, personal: true, compress: false));
            Assert.Contains(secrets[0], personal, StringComparison.Ordinal);
            Assert.Contains("ZEBRA-7741", personal, StringComparison.Ordinal);
            var replies = Decode(format, await world.ExportBytesAsync(BiDatasets.Replies, format, personal: true, compress: false));
            Assert.Contains("QUOKKA-9", replies, StringComparison.Ordinal);
        }
    }

    /// <summary>What a reader of the bytes sees: CSV as text, XLSX's parts unzipped, Parquet's raw (uncompressed) pages.</summary>
    private static string Decode(BiFormat format, byte[] bytes)
    {
        if (format != BiFormat.Xlsx) return Encoding.UTF8.GetString(bytes);
        using var zip = new ZipArchive(new MemoryStream(bytes));
        var text = new StringBuilder();
        foreach (var entry in zip.Entries)
        {
            using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
            text.Append(reader.ReadToEnd());
        }
        return text.ToString();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Parquet_ReadByHyparquet_HasTheDatabasesRowCountSumsAndTypes(DatabaseProvider provider)
    {
        await using var world = await BiWorld.CreateAsync(provider);
        var file = Path.Combine(world.Folder, "messages.parquet");
        await File.WriteAllBytesAsync(file, await world.ExportBytesAsync(BiDatasets.Messages, BiFormat.Parquet, personal: false));

        var result = await ReadWithHyparquetAsync(file);
        long count, parts;
        decimal cost;
        long firstClient;
        await using (var db = world.Database.CreateContext())
        {
            var messages = db.Messages.Where(m => m.CampaignId == world.CampaignId);
            count = await messages.LongCountAsync();
            parts = await messages.SumAsync(m => (long)m.Parts);
            cost = (await messages.Select(m => m.Cost).ToListAsync()).Sum();
            firstClient = await messages.OrderBy(m => m.Id).Select(m => m.ClientId).FirstAsync();
        }
        Assert.Equal(3_000, count);
        Assert.Equal(count, (long)result["rows"]!);
        Assert.Equal(3, (int)result["rowGroups"]!); // row groups of 1,000
        Assert.Equal((double)parts, (double)result["sums"]!["parts"]!);
        Assert.Equal((double)cost, (double)result["sums"]!["cost"]!, 6);
        var types = result["columns"]!.AsArray().ToDictionary(c => (string)c!["name"]!, c => c!);
        Assert.Equal("INT64", (string)types["message_id"]!["type"]!);
        Assert.Equal("INT32", (string)types["parts"]!["type"]!);
        Assert.Equal("DECIMAL", (string)types["cost"]!["logical"]!);
        Assert.Equal(4, (int)types["cost"]!["scale"]!);
        Assert.Equal("TIMESTAMP", (string)types["queued_at"]!["logical"]!);
        Assert.Equal("BOOLEAN", (string)types["control"]!["type"]!);
        Assert.DoesNotContain("phone", types.Keys);
        var key = (await world.Keys.GetAsync(CancellationToken.None)).Of(firstClient);
        Assert.Equal(key, (string)result["first"]!["client_key"]!);
        Assert.Equal(BiWorld.SentAt, DateTime.Parse((string)result["first"]!["queued_at"]!, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal));
    }

    internal static async Task<JsonNode> ReadWithHyparquetAsync(string file)
    {
        var modules = NodeSmppProcess.NodeModules();
        Assert.True(File.Exists(Path.Combine(modules, "hyparquet", "package.json")), $"hyparquet is missing in {modules}: run ./test.sh (installs it)");
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(NodeSmppProcess.RepoRoot(), "scripts", "bi", "read-parquet.mjs"));
        info.ArgumentList.Add(modules);
        info.ArgumentList.Add(file);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(process.ExitCode == 0, "hyparquet failed: " + await error);
        return JsonNode.Parse(await output)!;
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Csv_IsRfc4180_FormulaSafe_WithOptionalBom(DatabaseProvider provider)
    {
        await using var world = await BiWorld.CreateAsync(provider, clients: 50);
        var csv = await world.ExportBytesAsync(BiDatasets.Campaigns, BiFormat.Csv, personal: false, filter: new BiFilter());
        Assert.NotEqual(0xEF, csv[0]);
        var text = Encoding.UTF8.GetString(csv);
        Assert.StartsWith("campaign_id,parent_campaign_id,name,", text, StringComparison.Ordinal);
        // The hostile name is quoted, its quotes doubled, and an apostrophe keeps it from being a formula.
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain(",=HYPERLINK", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        var records = FinanceReports.CsvRecords(new StringReader(text)).ToList();
        Assert.Equal(3, records.Count); // header + 2 campaigns
        Assert.All(records, r => Assert.Equal(records[0].Count, r.Count));

        using var bom = new MemoryStream();
        var ds = BiDatasets.Find(BiDatasets.Campaigns)!;
        await BiWriter.WriteAsync(bom, BiFormat.Csv, ds.Columns(false), world.Reader.ReadRowsAsync(ds, new BiFilter(), false), new BiWriteOptions(Bom: true), null, CancellationToken.None);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bom.ToArray()[..3]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ExportForUser_RecordsHistoryAndAudit_MasksByRole_CancelLeavesNoFile(DatabaseProvider provider)
    {
        await using var world = await BiWorld.CreateAsync(provider, clients: 500);
        var exporter = world.Exporter();
        var request = new BiExportRequest(BiDatasets.Messages, BiFormat.Csv, new BiFilter(CampaignId: world.CampaignId));
        var analyst = await exporter.ExportForUserAsync(BiWorld.User(Roles.Analyst), request, null, CancellationToken.None);
        Assert.Equal(BiExportStatus.Succeeded, analyst.Status);
        Assert.Equal(500, analyst.Rows);
        Assert.False(analyst.Personal);
        var file = exporter.FileOf(analyst)!;
        Assert.DoesNotContain("phone", (await File.ReadAllLinesAsync(file))[0], StringComparison.Ordinal);

        var admin = await exporter.ExportForUserAsync(BiWorld.User(Roles.Administrator), request with { Format = BiFormat.Xlsx }, null, CancellationToken.None);
        Assert.True(admin.Personal);
        Assert.Equal(500, admin.Rows);

        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var cancelled = await exporter.ExportForUserAsync(BiWorld.User(Roles.Analyst), request with { Format = BiFormat.Parquet }, null, cts.Token);
        Assert.Equal(BiExportStatus.Cancelled, cancelled.Status);
        Assert.Null(exporter.FileOf(cancelled));
        Assert.False(File.Exists(Path.Combine(world.Folder, "exports", $"export-{cancelled.Id}.parquet")));

        await using var db = world.Database.CreateContext();
        var history = await db.BiExports.OrderBy(e => e.Id).ToListAsync();
        Assert.Equal([BiExportStatus.Succeeded, BiExportStatus.Succeeded, BiExportStatus.Cancelled], history.Select(h => h.Status));
        Assert.Equal("analyst@portal.local", history[0].RequestedBy);
        var audit = await db.AuditEntries.Where(a => a.Action.StartsWith("bi.export")).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal([BiExporter.AuditAction, BiExporter.AuditPersonalAction, BiExporter.AuditAction], audit.Select(a => a.Action));
        Assert.Contains("rows=500", audit[0].Details, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task DailyCostAndConversions_MatchTheDatabase(DatabaseProvider provider)
    {
        await using var world = await BiWorld.CreateAsync(provider, clients: 1_000);
        var period = new BiFilter(BiWorld.SentAt.Date.AddDays(-1), BiWorld.SentAt.Date.AddDays(2));
        var daily = new List<object?[]>();
        await foreach (var row in world.Reader.ReadAsync(BiDatasets.Find(BiDatasets.DailyCost)!, period, false)) daily.Add((object?[])row.Clone());
        await using var db = world.Database.CreateContext();
        var sent = db.Messages.Where(m => m.Status != MessageStatus.Control);
        // One row per operator of the one day, department and provider.
        var operators = await db.Clients.Select(c => c.Operator).Distinct().CountAsync();
        Assert.Equal(operators, daily.Count);
        Assert.All(daily, r => Assert.Equal(BiWorld.SentAt.Date, (DateTime)r[0]!));
        Assert.All(daily, r => Assert.Equal(world.DepartmentId, r[1]));
        Assert.All(daily, r => Assert.Equal("MegaSMS", r[4]));
        Assert.Equal(await sent.LongCountAsync(), daily.Sum(r => (long)r[6]!));
        Assert.Equal(await sent.SumAsync(m => (long)m.Parts), daily.Sum(r => (long)r[7]!));
        Assert.Equal((await sent.Select(m => m.Cost).ToListAsync()).Sum(), daily.Sum(r => (decimal)r[8]!));

        var conversions = new List<object?[]>();
        await foreach (var row in world.Reader.ReadAsync(BiDatasets.Find(BiDatasets.Conversions)!, period with { CampaignId = world.CampaignId }, false)) conversions.Add(row);
        var c = Assert.Single(conversions);
        Assert.Equal(world.CampaignId, c[0]);
        Assert.Equal(900L, c[5]); // the sent group: every 10th client is control
        Assert.True((bool)c[13]!); // has a control group
    }
}
