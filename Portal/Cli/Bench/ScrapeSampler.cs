using System.Diagnostics;
using System.Globalization;

namespace Portal.Cli.Bench;

/// <summary>
/// Scrapes a <c>/metrics</c> endpoint at a fixed interval while a bench runs and reports the
/// latency of each complete answer (request to last byte), p50 / p95 / max, for issue 22's target
/// (a scrape during the 1.9 M pipeline answers in ≤ 50 ms). Failed scrapes are counted, not timed.
/// The scraper runs on a thread of its own with blocking sends: a real Prometheus is another
/// process and does not queue behind the pipeline's work items on this process's thread pool, so
/// neither may the measuring client (the first version awaited on the shared pool and timed its own
/// queueing too). Each scrape also notes the GC pause time that fell inside it and the thread
/// pool's queue when it started, so the report can say what the slowest scrapes waited for.
/// </summary>
internal sealed class ScrapeSampler : IDisposable
{
    /// <summary>Issue 22's target for one scrape.</summary>
    private static readonly TimeSpan Target = TimeSpan.FromMilliseconds(50);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Scrape> _scrapes = [];
    private readonly Thread _thread;
    private readonly TimeSpan _every;
    private long _bytes;
    private int _failed;

    /// <summary>One answered scrape: its number (0 = the first after start), latency, GC pause inside it, pool queue at its start.</summary>
    internal readonly record struct Scrape(int Index, double Millis, double GcPauseMillis, long QueuedWorkItems);

    private ScrapeSampler(string url, TimeSpan every)
    {
        Url = url;
        _every = every;
        _thread = new Thread(Loop) { IsBackground = true, Name = "metrics scrape sampler" };
        _thread.Start();
    }

    public string Url { get; }

    public static ScrapeSampler Start(string url, TimeSpan every) => new(url, every);

    private void Loop()
    {
        var index = 0;
        while (!_stop.Token.WaitHandle.WaitOne(_every))
        {
            var pause = GC.GetTotalPauseDuration();
            var queued = ThreadPool.PendingWorkItemCount;
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, Url);
                using var response = _http.Send(request, HttpCompletionOption.ResponseContentRead, _stop.Token);
                response.EnsureSuccessStatusCode();
                using var body = response.Content.ReadAsStream(_stop.Token);
                var length = 0L;
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = body.Read(buffer)) > 0) length += read;
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (_scrapes) _scrapes.Add(new Scrape(index, ms, (GC.GetTotalPauseDuration() - pause).TotalMilliseconds, queued));
                Interlocked.Exchange(ref _bytes, length);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _failed);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            index++;
        }
    }

    /// <summary>
    /// Scrapes, p50 / p95 / max in ms, failures, size of the last answer; then the same without the
    /// first (cold: the exporter's code is compiled on it), and what the scrapes over the target waited for.
    /// </summary>
    public string Report()
    {
        Scrape[] all;
        lock (_scrapes) all = [.. _scrapes];
        if (all.Length == 0) return $"Scrapes of {Url}: none answered ({_failed} failed)";
        var slow = all.Where(s => s.Millis > Target.TotalMilliseconds).ToArray();
        var inGc = slow.Count(s => s.GcPauseMillis >= s.Millis / 2);
        var max = all.MaxBy(s => s.Millis);
        return string.Create(CultureInfo.InvariantCulture,
            $"""
            Scrapes of /metrics during the run: {all.Length} answered, {_failed} failed; latency {Percentiles(all)}; last answer {Interlocked.Read(ref _bytes):N0} bytes
              slowest: scrape #{max.Index} {max.Millis:F1} ms (GC pause inside it {max.GcPauseMillis:F1} ms, {max.QueuedWorkItems:N0} work items queued at its start)
              without the first (cold) scrape #0: {Percentiles(all.Where(s => s.Index > 0).ToArray())}
              over {Target.TotalMilliseconds:F0} ms: {slow.Length} ({inGc} spent at least half of it in GC pauses)
            """);
    }

    private static string Percentiles(Scrape[] scrapes)
    {
        if (scrapes.Length == 0) return "none";
        var sorted = scrapes.Select(s => s.Millis).Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"p50 {At(0.50):F1} ms, p95 {At(0.95):F1} ms, max {sorted[^1]:F1} ms");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(35));
        _http.Dispose();
        _stop.Dispose();
    }
}
