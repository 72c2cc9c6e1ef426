using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Portal.Domain.Imports;

namespace Portal.Infrastructure.Importing;

/// <summary>A running import as the UI sees it.</summary>
public sealed class ImportRun(int jobId)
{
    internal CancellationTokenSource Cancellation { get; } = new();
    public int JobId { get; } = jobId;
    public ImportProgress Progress { get; internal set; } = new(ImportPhase.Reading, 0, 0);
    public ImportJob? Result { get; internal set; }
    public Task Completion { get; internal set; } = Task.CompletedTask;

    /// <summary>Raised on progress and on completion, from a background thread.</summary>
    public event Action? Changed;

    internal void Notify() => Changed?.Invoke();
}

/// <summary>
/// Runs imports in the background so they outlive the page (and the Blazor circuit) that
/// started them; the page follows progress and may cancel. The uploaded file, which holds
/// personal data, is deleted when the import ends, whatever the outcome.
/// </summary>
public sealed class ImportRunner(ClientImporter importer, ILogger<ImportRunner> logger)
{
    private readonly ConcurrentDictionary<int, ImportRun> _runs = new();

    public ImportRun? Find(int jobId) => _runs.GetValueOrDefault(jobId);

    public async Task<ImportRun> StartAsync(ImportRequest request, CancellationToken ct)
    {
        var jobId = await importer.CreateJobAsync(request, ct);
        var run = new ImportRun(jobId);
        _runs[jobId] = run;
        var progress = new Progress<ImportProgress>(p =>
        {
            run.Progress = p;
            run.Notify();
        });
        run.Completion = Task.Run(async () =>
        {
            try
            {
                run.Result = await importer.RunAsync(jobId, request, progress, run.Cancellation.Token);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Import {JobId} crashed", jobId);
            }
            finally
            {
                TryDelete(request.Path);
                run.Notify();
                _ = Task.Delay(TimeSpan.FromMinutes(10)).ContinueWith(_ => _runs.TryRemove(jobId, out var _), TaskScheduler.Default);
            }
        }, CancellationToken.None);
        return run;
    }

    public void Cancel(int jobId)
    {
        if (_runs.TryGetValue(jobId, out var run))
        {
            run.Cancellation.Cancel();
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException e)
        {
            logger.LogWarning(e, "Could not delete an uploaded import file");
        }
    }
}
