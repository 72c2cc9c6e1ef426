using Portal.Infrastructure.Persistence;

namespace Portal.Cli;

/// <summary><c>migrate</c>: applies the configured provider's pending migrations and exits.</summary>
internal static class MigrateVerb
{
    public static async Task<int> RunAsync(string[] args)
    {
        using var host = VerbHost.Build(args[1..]);
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(CancellationToken.None);
        Console.WriteLine("Database is up to date.");
        return 0;
    }
}
