using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Portal.Domain.Clients;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sending;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Telemetry;

/// <summary>
/// Issue 22: with Logging:Format=json a node writes one JSON object per log line, with the trace
/// id; a full campaign run (the real Portal process: `bench pipeline` over RabbitMQ and an SMSC
/// simulator) leaves no recipient's phone, name or message text in its console output.
/// </summary>
public sealed class JsonLogsTests
{
    [Fact]
    public async Task CampaignRun_JsonLogs_CarryTraceIds_AndNoPersonalData()
    {
        const int size = 40;
        await using var h = await DispatchHarness.CreateAsync(DatabaseProvider.Postgres, rabbit: true);
        var phones = new List<string>();
        var names = new List<string>();
        var at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await using (var db = h.Database.CreateContext())
        {
            for (var i = 0; i < size; i++)
            {
                // Distinctive, so a hit can only be a leak: phones +7955..., names no log word contains.
                var phone = $"+7955{Random.Shared.Next(1000000, 9999999)}";
                var first = $"Zorvath{(char)('a' + i % 26)}{i:D2}";
                var last = $"Quillon{(char)('a' + i % 26)}{i:D2}";
                var client = new Client(PhoneNumber.Parse(phone), first, last, at);
                client.SetConsent(ConsentPurpose.Advertising, true, at, "test", null);
                db.Clients.Add(client);
                phones.Add(phone);
                names.Add(first);
                names.Add(last);
            }
            await db.SaveChangesAsync();
        }

        var root = TestEnvironment.RepoRoot;
        var project = Path.Combine(root, "Portal");
        var dll = Path.Combine(project, "bin", "Debug", "net10.0", "Portal.dll");
        Assert.True(File.Exists(dll), "build Portal first: " + dll);
        var keys = Directory.CreateTempSubdirectory("portal-jsonlogs-");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            dll, "bench", "pipeline",
            "--Database:Provider", "Postgres", "--Database:ConnectionString", h.Database.ConnectionString,
            "--Messaging:Transport", "RabbitMq", "--Messaging:RabbitMq:Uri", TestEnvironment.RabbitMq,
            "--Sending:InboundQueue", h.QueuePrefix + ".json-inbound",
            "--Sending:EmbeddedSimulator", "false",
            "--DataProtection:KeysPath", keys.FullName,
            "--Logging:Format", "json",
            // Everything a node may log, down to Debug: the scan must see the most talkative run.
            "--Logging:LogLevel:Default", "Debug", "--Logging:LogLevel:Microsoft", "Information",
        })
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            // Generous: a whole .NET process and a campaign on a machine shared with other test runs.
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("bench pipeline did not finish within 10 minutes:\n" + output);
            }
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            keys.Delete(recursive: true);
        }
        var text = output.ToString();
        Assert.True(process.ExitCode == 0, "bench pipeline failed:\n" + text);
        Assert.Contains($"Final: {size} delivered", text);

        var json = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l)).ToList();
        Assert.True(json.Count > 5, "too few JSON log lines:\n" + text);
        Assert.All(json, j => Assert.True(j.RootElement.TryGetProperty("LogLevel", out _) && j.RootElement.TryGetProperty("Category", out _)));
        // The launch logs inside its span: that line carries the trace id.
        var launched = json.FirstOrDefault(j => j.RootElement.GetProperty("Message").GetString()?.Contains("launched", StringComparison.Ordinal) == true);
        Assert.NotNull(launched);
        var traceId = launched.RootElement.GetProperty("Scopes").EnumerateArray()
            .Select(s => s.TryGetProperty("TraceId", out var t) ? t.GetString() : null).FirstOrDefault(t => t is not null);
        Assert.Matches("^[0-9a-f]{32}$", traceId);

        var leaks = new List<string>();
        foreach (var phone in phones)
        {
            foreach (var form in new[] { phone, phone[1..], phone[2..] })
            {
                if (text.Contains(form, StringComparison.Ordinal)) leaks.Add(form);
            }
        }
        leaks.AddRange(names.Where(n => text.Contains(n, StringComparison.OrdinalIgnoreCase)));
        // The message text: the bench's template around each name.
        if (text.Contains("Your balance is", StringComparison.Ordinal)) leaks.Add("message text");
        Assert.True(leaks.Count == 0, "personal data in the logs: " + string.Join(", ", leaks.Distinct()));
    }
}
