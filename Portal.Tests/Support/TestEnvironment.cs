namespace Portal.Tests.Support;

/// <summary>
/// Servers the tests run against, started by ./test.sh (scripts/services.sh). A test that needs
/// one fails when it is missing: a skipped or silently passing database test hides real breakage.
/// </summary>
public static class TestEnvironment
{
    /// <summary>Npgsql connection string to a throwaway server's "postgres" database; tests create their own databases.</summary>
    public static string Postgres => Require("PORTAL_TEST_POSTGRES");

    /// <summary>amqp:// URI of a throwaway RabbitMQ node on loopback.</summary>
    public static string RabbitMq => Require("PORTAL_TEST_RABBITMQ");

    private static string Require(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} not set: run ./test.sh");
}
