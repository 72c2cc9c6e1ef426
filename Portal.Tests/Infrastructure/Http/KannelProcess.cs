using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Portal.Tests.Infrastructure.Http;

/// <summary>
/// A real Kannel (Debian package <c>kannel</c>): bearerbox and smsbox with a generated config in a
/// temp directory, on free loopback ports, relaying over SMPP to <paramref name="smscPort"/> and
/// keeping delivery reports in memory (<c>dlr-storage = internal</c>). Killed on dispose. A missing
/// Kannel fails the test: this adapter must never pass untested.
/// </summary>
public sealed class KannelProcess : IAsyncDisposable
{
    public const string Bearerbox = "/usr/sbin/bearerbox";
    public const string Smsbox = "/usr/sbin/smsbox";
    public const string Username = "portal";
    public const string Password = "kannel-pw";

    private readonly DirectoryInfo _dir;
    private readonly List<Process> _processes = [];

    private KannelProcess(DirectoryInfo dir, int adminPort, int sendsmsPort)
    {
        _dir = dir;
        AdminPort = adminPort;
        SendsmsPort = sendsmsPort;
    }

    public int AdminPort { get; }
    public int SendsmsPort { get; }

    /// <summary>Where the provider's URL template points (Kannel's sendsms interface).</summary>
    public string BaseUrl => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{SendsmsPort}");

    /// <param name="moGetUrl">When given, every SMS the SMSC delivers to Kannel is passed to this URL
    /// (an <c>sms-service</c> with Kannel's escapes, e.g. <c>%p</c> sender, <c>%P</c> receiver, <c>%b</c> text), no reply sent.</param>
    public static async Task<KannelProcess> StartAsync(int smscPort, string systemId, string smppPassword, string? moGetUrl = null)
    {
        Assert.True(File.Exists(Bearerbox) && File.Exists(Smsbox),
            $"Kannel is missing ({Bearerbox}, {Smsbox}): run ./test.sh, which installs the Debian package kannel.");
        var dir = Directory.CreateTempSubdirectory("portal-kannel-");
        int admin = FreePort(), smsbox = FreePort(), sendsms = FreePort();
        var config = Path.Combine(dir.FullName, "kannel.conf");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            group = core
            admin-port = {admin}
            admin-interface = 127.0.0.1
            admin-password = admin-pw
            smsbox-port = {smsbox}
            smsbox-interface = 127.0.0.1
            log-file = "{dir.FullName}/bearerbox.log"
            log-level = 1
            dlr-storage = internal
            store-type = file
            store-location = "{dir.FullName}/store"

            group = smsc
            smsc = smpp
            smsc-id = simulator
            host = 127.0.0.1
            port = {smscPort}
            transceiver-mode = true
            smsc-username = {systemId}
            smsc-password = {smppPassword}
            system-type = ""
            reconnect-delay = 1
            msg-id-type = 0x03

            group = smsbox
            bearerbox-host = 127.0.0.1
            bearerbox-port = {smsbox}
            sendsms-port = {sendsms}
            sendsms-interface = 127.0.0.1
            # UCS-2 SMS from clients reach get-url as UTF-8 (%b would carry raw UCS-2 bytes otherwise).
            mo-recode = true
            log-file = "{dir.FullName}/smsbox.log"
            log-level = 1

            group = sendsms-user
            username = {Username}
            password = {Password}
            concatenation = true
            max-messages = 10

            """) + (moGetUrl is null ? "" : "\n" + $"""
            group = sms-service
            keyword = default
            catch-all = true
            max-messages = 0
            get-url = "{moGetUrl}"

            """));
        var kannel = new KannelProcess(dir, admin, sendsms);
        try
        {
            kannel.Start(Bearerbox, config);
            await kannel.WaitAsync("the SMPP bind to the simulator", async http =>
                (await http.GetStringAsync($"http://127.0.0.1:{admin}/status.txt?password=admin-pw")).Contains("(online", StringComparison.Ordinal));
            kannel.Start(Smsbox, config);
            await kannel.WaitAsync("smsbox's sendsms port", async http =>
                (await http.GetAsync($"http://127.0.0.1:{sendsms}/cgi-bin/sendsms")).StatusCode != HttpStatusCode.ServiceUnavailable);
        }
        catch
        {
            await kannel.DisposeAsync();
            throw;
        }
        return kannel;
    }

    /// <summary>Bearerbox's own counters (status.txt), for assertions and failure messages.</summary>
    public async Task<string> StatusAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{AdminPort}/status.txt?password=admin-pw"));
    }

    /// <summary>The tail of both logs, to explain a failure.</summary>
    public string LogTail()
    {
        var text = "";
        foreach (var name in new[] { "bearerbox.log", "smsbox.log" })
        {
            var path = Path.Combine(_dir.FullName, name);
            if (File.Exists(path)) text += $"--- {name}\n" + string.Join("\n", File.ReadLines(path).TakeLast(30)) + "\n";
        }
        lock (_console) return text + "--- console\n" + string.Join("\n", _console);
    }

    private void Start(string program, string config)
    {
        var info = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _dir.FullName,
        };
        info.ArgumentList.Add("-v");
        info.ArgumentList.Add("1");
        info.ArgumentList.Add(config);
        var process = Process.Start(info) ?? throw new InvalidOperationException(program + " did not start");
        // Drained so a chatty box never blocks on a full pipe; the last lines explain a box that would not start.
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    private readonly Queue<string> _console = new();

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_console)
        {
            _console.Enqueue(line);
            while (_console.Count > 20) _console.Dequeue();
        }
    }

    private async Task WaitAsync(string what, Func<HttpClient, Task<bool>> ready)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_processes.Any(p => p.HasExited)) break;
            try
            {
                if (await ready(http)) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"Kannel did not bring up {what} in 20 s.\n{LogTail()}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            var process = _processes[i];
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
            }
            process.Dispose();
        }
        try
        {
            _dir.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
