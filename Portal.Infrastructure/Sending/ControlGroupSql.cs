using Microsoft.Data.Sqlite;
using Portal.Domain.Campaigns;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// <see cref="ControlGroup.Bucket"/> inside the database, so the launch snapshot assigns the control
/// group in its one INSERT ... SELECT. PostgreSQL gets the same SplitMix64 as a function (bigint
/// has no unsigned wrap-around, so the multiplications go through numeric modulo 2^64); SQLite
/// calls the C# function itself. ControlGroupSqlTests checks both agree with C# on 10,000 ids.
/// </summary>
public static class ControlGroupSql
{
    public const string FunctionName = "portal_control_bucket";

    public const string CreatePostgresFunction = """
        CREATE OR REPLACE FUNCTION portal_control_bucket(campaign_id integer, client_id bigint) RETURNS integer
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
        DECLARE
            two64 CONSTANT numeric := 18446744073709551616;
            two63 CONSTANT numeric := 9223372036854775808;
            u numeric;
            x bigint;
        BEGIN
            x := ((campaign_id::bigint & 4294967295) << 40) # client_id;
            u := (CASE WHEN x < 0 THEN x + two64 ELSE x END + 11400714819323198485) % two64;
            x := CASE WHEN u >= two63 THEN (u - two64)::bigint ELSE u::bigint END;
            x := x # ((x >> 30) & 17179869183);
            u := ((CASE WHEN x < 0 THEN x + two64 ELSE x END) * 13787848793156543929) % two64;
            x := CASE WHEN u >= two63 THEN (u - two64)::bigint ELSE u::bigint END;
            x := x # ((x >> 27) & 137438953471);
            u := ((CASE WHEN x < 0 THEN x + two64 ELSE x END) * 10723151780598845931) % two64;
            x := CASE WHEN u >= two63 THEN (u - two64)::bigint ELSE u::bigint END;
            x := x # ((x >> 31) & 8589934591);
            RETURN ((CASE WHEN x < 0 THEN x + two64 ELSE x END) % 10000)::integer;
        END $$;
        """;

    public const string DropPostgresFunction = "DROP FUNCTION IF EXISTS portal_control_bucket(integer, bigint);";

    /// <summary>SQLite has no such function: register the C# one on the connection before the snapshot.</summary>
    public static void Register(SqliteConnection connection) =>
        connection.CreateFunction<int, long, int>(FunctionName, ControlGroup.Bucket, isDeterministic: true);
}
