using Microsoft.Data.Sqlite;
using Portal.Domain.Campaigns;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// <see cref="ControlGroup.Bucket"/> inside the database, so the launch snapshot assigns the control
/// group in its one INSERT ... SELECT. PostgreSQL gets the same integer mix as a function (every
/// product fits a bigint); SQLite calls the C# function itself. ControlGroupSqlTests checks both agree with C# on 10,000 ids.
/// </summary>
public static class ControlGroupSql
{
    public const string FunctionName = "portal_control_bucket";

    public const string CreatePostgresFunction = """
        CREATE OR REPLACE FUNCTION portal_control_bucket(campaign_id integer, client_id bigint) RETURNS integer
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
        DECLARE
            h bigint;
        BEGIN
            h := (client_id & 4294967295) # (client_id >> 32) # (((campaign_id::bigint & 4294967295) * 2654435761) & 4294967295);
            h := ((h # (h >> 16)) * 73244475) & 4294967295;
            h := ((h # (h >> 16)) * 73244475) & 4294967295;
            RETURN ((h # (h >> 16)) % 10000)::integer;
        END $$;
        """;

    public const string DropPostgresFunction = "DROP FUNCTION IF EXISTS portal_control_bucket(integer, bigint);";

    /// <summary>SQLite has no such function: register the C# one on the connection before the snapshot.</summary>
    public static void Register(SqliteConnection connection) =>
        connection.CreateFunction<int, long, int>(FunctionName, ControlGroup.Bucket, isDeterministic: true);
}
