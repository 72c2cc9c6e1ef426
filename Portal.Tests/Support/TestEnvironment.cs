namespace Portal.Tests.Support;

/// <summary>
/// The real services `./test.sh` starts. A missing one fails the test with instructions:
/// integration tests never skip (issue 2: with CI=true no integration test may skip).
/// </summary>
public static class TestEnvironment
{
    /// <summary>An Npgsql connection string to a server where the tests may create databases.</summary>
    public static string Postgres => Required("PORTAL_TEST_POSTGRES");

    /// <summary>An AMQP URI of a RabbitMQ broker for tests.</summary>
    public static string RabbitMq => Required("PORTAL_TEST_RABBITMQ");

    /// <summary>The repository root (the folder holding Portal.sln).</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("Portal.sln not found above " + AppContext.BaseDirectory);
        }
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} not set: run ./test.sh (it starts PostgreSQL and RabbitMQ for the tests).");
}
