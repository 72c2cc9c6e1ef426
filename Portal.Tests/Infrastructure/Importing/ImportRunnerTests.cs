using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Imports;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Importing;

/// <summary>
/// Issue 21 (coverage): imports run in the background (they outlive the page): the page finds the
/// run, and the uploaded file (personal data) is deleted whatever the outcome. (Cancelling needs a
/// file of 10,000+ rows to reach the first progress report: 8 s on SQLite, too slow for this suite.)
/// </summary>
public class ImportRunnerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static ImportRequest Request(string path) =>
        new(path, "clients.csv", [ClientField.Phone], ImportMode.ValidRowsOnly, ImportMatch.Phone, "tester");

    private static async Task<string> FileAsync(int rows)
    {
        var path = Path.GetTempFileName();
        var text = new StringBuilder("phone\n");
        for (var i = 0; i < rows; i++) text.Append("+7916").Append(i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        await File.WriteAllTextAsync(path, text.ToString(), new UTF8Encoding(false));
        return path;
    }

    [Fact]
    public async Task ARun_IsFoundWhileItLives_CompletesInTheBackground_AndDeletesTheFile()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var runner = new ImportRunner(new ClientImporter(database.Factory, TimeProvider.System, NullLogger<ClientImporter>.Instance), NullLogger<ImportRunner>.Instance);
        var path = await FileAsync(3);

        var run = await runner.StartAsync(Request(path), default);
        Assert.Same(run, runner.Find(run.JobId));
        await run.Completion.WaitAsync(Patience);

        Assert.Equal((ImportStatus.Completed, 3, 3), (run.Result!.Status, run.Result.TotalRows, run.Result.Inserted));
        Assert.False(File.Exists(path));
        Assert.Null(runner.Find(run.JobId + 1));
        runner.Cancel(run.JobId + 1); // nothing runs under that id: nothing happens
    }

    [Fact]
    public async Task AFileGoneBeforeTheRun_FailsTheImport_AsAnInternalError()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var runner = new ImportRunner(new ClientImporter(database.Factory, TimeProvider.System, NullLogger<ClientImporter>.Instance), NullLogger<ImportRunner>.Instance);
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.csv");

        var run = await runner.StartAsync(Request(path), default);
        await run.Completion.WaitAsync(Patience);

        Assert.Equal(ImportStatus.Failed, run.Result!.Status);
        Assert.Equal("The import stopped on an internal error and applied nothing: FileNotFoundException", run.Result.Error);
    }
}
