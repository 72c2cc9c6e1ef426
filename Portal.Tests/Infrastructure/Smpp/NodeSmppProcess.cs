using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace Portal.Tests.Infrastructure.Smpp;

/// <summary>
/// Runs one of <c>scripts/smpp-interop/*.js</c> with node-smpp from <c>&lt;repo&gt;/.tools/node</c>
/// and exposes its JSON-lines stdout as events. A missing node-smpp fails the test: interop must
/// never silently pass.
/// </summary>
internal sealed class NodeSmppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _seen = [];
    private readonly System.Text.StringBuilder _stderr = new();

    private NodeSmppProcess(Process process) => _process = process;

    public IReadOnlyList<JsonElement> Seen => _seen;

    public static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Portal.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Portal.sln not found above " + AppContext.BaseDirectory);
    }

    public static string NodeModules() => Path.Combine(RepoRoot(), ".tools", "node", "node_modules");

    public static void EnsureInstalled()
    {
        var package = Path.Combine(NodeModules(), "smpp", "package.json");
        Assert.True(File.Exists(package), $"node-smpp is missing ({package}): run ./test.sh (installs node-smpp)");
    }

    public static NodeSmppProcess Start(string script, params string[] arguments)
    {
        EnsureInstalled();
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot(),
        };
        info.ArgumentList.Add(Path.Combine(RepoRoot(), "scripts", "smpp-interop", script));
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["NODE_PATH"] = NodeModules();

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail("node is not on PATH (needed for the node-smpp interop tests): " + e.Message);
            throw;
        }
        var node = new NodeSmppProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                node._events.Writer.TryComplete();
                return;
            }
            if (!e.Data.StartsWith('{')) return;
            using var document = JsonDocument.Parse(e.Data);
            node._events.Writer.TryWrite(document.RootElement.Clone());
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (node._stderr) node._stderr.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Waits for the next event named <paramref name="name"/> (earlier events are kept in <see cref="Seen"/>).</summary>
    public async Task<JsonElement> WaitForAsync(string name, int timeoutMs = 10_000, Func<JsonElement, bool>? where = null)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            while (true)
            {
                var item = await _events.Reader.ReadAsync(cts.Token);
                _seen.Add(item);
                if (item.GetProperty("event").GetString() == name && (where is null || where(item))) return item;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            string errors;
            lock (_stderr) errors = _stderr.ToString();
            throw new TimeoutException($"node event '{name}' did not come; seen: {string.Join(" ", _seen.Select(s => s.GetRawText()))}; stderr: {errors}");
        }
    }

    /// <summary>Collects every remaining event until the process exits; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(int timeoutMs = 20_000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        await foreach (var item in _events.Reader.ReadAllAsync(cts.Token)) _seen.Add(item);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public IEnumerable<JsonElement> Events(string name) => _seen.Where(e => e.GetProperty("event").GetString() == name);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
