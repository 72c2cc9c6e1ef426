using System.Diagnostics;
using System.Text;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Telemetry;

/// <summary>
/// A RabbitMQ of this test's own, started and stopped through scripts/services.sh (never the shared
/// broker): one bash process sources the script, starts the node, prints its URI and waits; a line
/// on its stdin ends it, and its EXIT trap stops the node and removes its data.
/// </summary>
internal sealed class PrivateRabbitMq : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource<string> _uri = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PrivateRabbitMq(Process process) => _process = process;

    public string Uri { get; private set; } = "";

    public string Log { get { lock (_log) return _log.ToString(); } }

    public static async Task<PrivateRabbitMq> StartAsync()
    {
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = TestEnvironment.RepoRoot,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("source scripts/services.sh; trap services_stop EXIT; services_start_rabbitmq >&2 || exit 1; echo \"URI=$PORTAL_TEST_RABBITMQ\"; read -r _");
        var broker = new PrivateRabbitMq(new Process { StartInfo = info });
        broker._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            broker.Append(e.Data);
            if (e.Data.StartsWith("URI=", StringComparison.Ordinal)) broker._uri.TrySetResult(e.Data[4..]);
        };
        broker._process.ErrorDataReceived += (_, e) => broker.Append(e.Data);
        broker._process.Start();
        broker._process.BeginOutputReadLine();
        broker._process.BeginErrorReadLine();
        var done = await Task.WhenAny(broker._uri.Task, broker._process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(120)));
        if (done != broker._uri.Task)
        {
            await broker.DisposeAsync();
            Assert.Fail("The private RabbitMQ did not start:\n" + broker.Log);
        }
        broker.Uri = await broker._uri.Task;
        return broker;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    /// <summary>Stops the node (services_stop in the script's EXIT trap) and waits for it.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        await _process.StandardInput.WriteLineAsync("stop");
        await _process.StandardInput.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("The private RabbitMQ did not stop:\n" + Log);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }
}
