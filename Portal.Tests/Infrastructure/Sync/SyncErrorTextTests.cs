using Npgsql;
using Portal.Infrastructure.Integrations.Sync;

namespace Portal.Tests.Infrastructure.Sync;

/// <summary>Issue 14: the sync run history names the cause, never the exception's text (a row's values, an internal host).</summary>
public class SyncErrorTextTests
{
    [Fact]
    public void Describe_APostgresError_ShowsTheSqlStateOnly_NotTheRowValuesItQuotes()
    {
        var error = new PostgresException("invalid input syntax for type bigint: \"+79161234567\"", "ERROR", "ERROR", "22P02");

        var text = SyncRunner.Describe(error);

        Assert.StartsWith("The source database refused the query", text);
        Assert.Contains("22P02", text);
        Assert.DoesNotContain("79161234567", text);
    }

    [Fact]
    public void Describe_AnHttpFailure_DoesNotNameTheInternalHost()
    {
        var text = SyncRunner.Describe(new HttpRequestException("Connection refused (crm-db-7.corp.internal:8443)"));

        Assert.StartsWith("Could not reach the endpoint", text);
        Assert.DoesNotContain("corp.internal", text);
    }
}
