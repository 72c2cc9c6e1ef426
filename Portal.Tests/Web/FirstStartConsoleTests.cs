using System.Diagnostics;
using System.Text;
using Portal.Tests.Infrastructure.Smpp;

namespace Portal.Tests.Web;

/// <summary>
/// The embedded default's first start, as a new user runs it (Development, no configuration): the
/// console holds the URL and the logins, not Quartz's and EF's chatter (issue 20, item 20).
/// </summary>
public class FirstStartConsoleTests
{
    [Fact]
    public async Task FirstStart_PrintsTheUrlAndLogins_AndNoInformationChatter()
    {
        var root = NodeSmppProcess.RepoRoot();
        var project = Path.Combine(root, "Portal");
        var dll = Path.Combine(project, "bin", "Debug", "net10.0", "Portal.dll");
        Assert.True(File.Exists(dll), "build Portal first: " + dll);
        var data = Directory.CreateTempSubdirectory("portal-first-start-");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            dll, "--contentRoot", project, "--urls", "http://127.0.0.1:0",
            "--Database:ConnectionString", $"Data Source={Path.Combine(data.FullName, "portal.db")}",
            "--DataProtection:KeysPath", Path.Combine(data.FullName, "keys"),
            "--Seed:DemoClients", "200",
        })
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["Logging__Console__FormatterName"] = "simple";

        var output = new StringBuilder();
        var bannerEnd = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bars = 0;
        using var process = new Process { StartInfo = info };
        void Collect(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
            if (line.StartsWith("=====", StringComparison.Ordinal) && Interlocked.Increment(ref bars) == 2) bannerEnd.TrySetResult();
        }
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var done = await Task.WhenAny(bannerEnd.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(3)));
            Assert.True(done == bannerEnd.Task, "no banner within 3 minutes:\n" + output);
            await Task.Delay(1500); // what a scheduler or sender prints right after start counts too
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            data.Delete(recursive: true);
        }

        var text = output.ToString();
        Assert.Contains("Portal is running: http://127.0.0.1:", text);
        Assert.Contains("admin@portal.local", text);
        var lines = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(lines, l => l.StartsWith("info:", StringComparison.Ordinal) || l.StartsWith("dbug:", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("warn:", StringComparison.Ordinal) || l.StartsWith("fail:", StringComparison.Ordinal));
    }
}
