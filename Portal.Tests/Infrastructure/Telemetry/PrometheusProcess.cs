using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Portal.Tests.Infrastructure.Telemetry;

/// <summary>
/// A real Prometheus (Debian's package, installed by ./test.sh) on loopback: a random port, a temp
/// data dir, a 1 s scrape of the given targets. Missing binary: the test fails and says how to get it.
/// </summary>
internal sealed class PrometheusProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _dir;
    private readonly StringBuilder _output = new();

    private PrometheusProcess(Process process, DirectoryInfo dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int Port { get; }
    public HttpClient Http { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static string Binary(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin"))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path)) return path;
        }
        Assert.Fail($"{name} is not installed: run ./test.sh (it installs Debian's prometheus package) or `apt-get install -y prometheus`.");
        return "";
    }

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public static async Task<PrometheusProcess> StartAsync(params string[] targets)
    {
        var binary = Binary("prometheus");
        var dir = Directory.CreateTempSubdirectory("portal-prometheus-");
        var port = FreePort();
        var config = Path.Combine(dir.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: portal-test
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(t => $"'{t}'"))}]
            """);
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(dir.FullName, "data"),
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn" })
        {
            info.ArgumentList.Add(arg);
        }
        var process = new Process { StartInfo = info };
        var prometheus = new PrometheusProcess(process, dir, port);
        process.OutputDataReceived += (_, e) => prometheus.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => prometheus.Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await prometheus.Http.GetAsync("-/ready")).IsSuccessStatusCode) return prometheus;
            }
            catch (HttpRequestException)
            {
            }
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await prometheus.DisposeAsync();
                Assert.Fail("Prometheus did not become ready:\n" + prometheus.Output);
            }
            await Task.Delay(200);
        }
    }

    private void Collect(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>An instant query; each series as (labels, value).</summary>
    public async Task<IReadOnlyList<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using var response = await Http.GetAsync("api/v1/query?query=" + Uri.EscapeDataString(promql));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"query {promql}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => (
                r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? ""),
                double.Parse(r.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>Polls a query until <paramref name="done"/> holds for its first series' value, or fails with the last answer.</summary>
    public async Task<double> WaitForAsync(string promql, Func<double, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<(Dictionary<string, string> Labels, double Value)> last;
        while (true)
        {
            last = await QueryAsync(promql);
            if (last.Count > 0 && done(last[0].Value)) return last[0].Value;
            if (DateTime.UtcNow > deadline) break;
            await Task.Delay(500);
        }
        var targets = await Http.GetStringAsync("api/v1/targets");
        Assert.Fail($"{promql} never met the condition; last: [{string.Join(", ", last.Select(s => s.Value))}]\ntargets: {targets}");
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        try
        {
            _dir.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
