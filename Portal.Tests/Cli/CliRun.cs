using Portal.Cli;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Cli;

/// <summary>
/// Verbs and benches print to the process's console, so the tests that run them in-process
/// capture it. Console is one per process: these tests form a collection that runs alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console output";
}

/// <summary>What a verb returned and printed.</summary>
public sealed record CliResult(int Code, string Out, string Error)
{
    public override string ToString() => $"exit {Code}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

public static class CliRun
{
    /// <summary>Runs <c>dotnet run --project Portal -- ARGS</c> in this process, capturing stdout and stderr.</summary>
    public static async Task<CliResult> VerbAsync(params string[] args)
    {
        var (stdout, stderr) = (Console.Out, Console.Error);
        var (output, error) = (new StringWriter(), new StringWriter());
        Console.SetOut(TextWriter.Synchronized(output));
        Console.SetError(TextWriter.Synchronized(error));
        try
        {
            var code = await CliVerbs.RunAsync(args);
            return new CliResult(code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    /// <summary>The options that point a verb's host at a test database.</summary>
    public static string[] On(TestDatabase db) =>
        ["--Database:Provider", db.Provider.ToString(), "--Database:ConnectionString", db.ConnectionString];

    /// <summary>A fresh, migrated database holding <paramref name="clients"/> demo clients (through <c>seed</c>).</summary>
    public static async Task<TestDatabase> SeededAsync(DatabaseProvider provider, int clients, params string[] seedOptions)
    {
        var db = await TestDatabase.CreateAsync(provider);
        var seed = await VerbAsync(["seed", "--clients", clients.ToString(System.Globalization.CultureInfo.InvariantCulture), .. seedOptions, .. On(db)]);
        Assert.True(seed.Code == 0, seed.ToString());
        return db;
    }
}
