using System.Diagnostics;
using System.Globalization;

namespace Portal.Cli.Bench;

/// <summary>
/// Scrapes a <c>/metrics</c> endpoint at a fixed interval while a bench runs and reports the
/// latency of each complete answer (request to last byte), p50 / p95 / max, for issue 22's target
/// (a scrape during the 1.9 M pipeline answers in ≤ 50 ms). Failed scrapes are counted, not timed.
/// </summary>
internal sealed class ScrapeSampler : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly CancellationTokenSource _stop = new();
    private readonly List<double> _millis = [];
    private readonly Task _loop;
    private long _bytes;
    private int _failed;

    private ScrapeSampler(string url, TimeSpan every)
    {
        Url = url;
        _loop = Task.Run(() => LoopAsync(every));
    }

    public string Url { get; }

    public static ScrapeSampler Start(string url, TimeSpan every) => new(url, every);

    private async Task LoopAsync(TimeSpan every)
    {
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var body = await _http.GetByteArrayAsync(Url, _stop.Token);
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    lock (_millis) _millis.Add(ms);
                    Interlocked.Exchange(ref _bytes, body.Length);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !_stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _failed);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One line: scrapes, p50 / p95 / max in ms, failures, size of the last answer.</summary>
    public string Report()
    {
        double[] sorted;
        lock (_millis) sorted = [.. _millis.Order()];
        if (sorted.Length == 0) return $"Scrapes of {Url}: none answered ({_failed} failed)";
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return string.Create(CultureInfo.InvariantCulture,
            $"Scrapes of /metrics during the run: {sorted.Length} answered, {_failed} failed; latency p50 {At(0.50):F1} ms, p95 {At(0.95):F1} ms, max {sorted[^1]:F1} ms; last answer {Interlocked.Read(ref _bytes):N0} bytes");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _http.Dispose();
        _stop.Dispose();
    }
}
