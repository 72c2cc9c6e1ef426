using Portal.Domain.Campaigns;
using Portal.Domain.Messages;

namespace Portal.Infrastructure.Bi;

/// <summary>
/// The <c>bi</c> schema of PostgreSQL (issue 16, item 5): views over the same datasets for Power BI,
/// Metabase or Superset, without personal data, for the read-only role <c>portal_bi</c>.
/// Views run with their owner's rights, so <c>portal_bi</c> needs SELECT on <c>bi</c> only and can
/// read no table. The client key of the views is SHA-256 of a per-database random salt (in
/// <c>bi_private</c>, which <c>portal_bi</c> cannot read) and the client id: stable and not
/// reversible, but not the same key as file exports (that key is kept encrypted by the application).
/// </summary>
public static class BiViews
{
    public const string Role = "portal_bi";

    private static string Names<T>(string column) where T : struct, Enum =>
        "CASE " + column + string.Concat(Enum.GetValues<T>().Select(v => $" WHEN {Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)} THEN '{v}'")) + $" ELSE CAST({column} AS text) END";

    private const string ClientKey = "left(encode(sha256(convert_to((SELECT value FROM bi_private.salt) || CAST({0} AS text), 'UTF8')), 'hex'), 32)";

    /// <summary>The views as built now (sandbox rows excluded, issue 18). Migrations call <see cref="ViewsSql"/> with the shape of their time.</summary>
    public static string PostgresUp => ViewsSql(sandboxExcluded: true);

    /// <param name="sandboxExcluded">
    /// False: the views as issue 16 created them (its migration runs before the sandbox columns exist);
    /// true: training-sandbox campaigns and their clients' replies left out (issue 18, migration TrainingSandbox).
    /// </param>
    public static string ViewsSql(bool sandboxExcluded) => $"""
        CREATE SCHEMA IF NOT EXISTS bi_private;
        REVOKE ALL ON SCHEMA bi_private FROM PUBLIC;
        CREATE TABLE IF NOT EXISTS bi_private.salt (value text NOT NULL);
        INSERT INTO bi_private.salt (value) SELECT CAST(gen_random_uuid() AS text) || CAST(gen_random_uuid() AS text) WHERE NOT EXISTS (SELECT 1 FROM bi_private.salt);
        CREATE SCHEMA IF NOT EXISTS bi;

        CREATE OR REPLACE VIEW bi.messages AS
        SELECT m."Id" AS message_id, COALESCE(k."ParentCampaignId", m."CampaignId") AS campaign_id, m."CampaignId" AS run_id,
               {string.Format(System.Globalization.CultureInfo.InvariantCulture, ClientKey, "m.\"ClientId\"")} AS client_key,
               m."ProviderId" AS provider_id, {Names<MessageStatus>("m.\"Status\"")} AS status, m."ErrorCode" AS error_code,
               m."Parts" AS parts, m."Cost" AS cost, m."CreatedAt" AS queued_at, m."SubmittedAt" AS submitted_at, m."DoneAt" AS delivered_at,
               c."Operator" AS operator, c."RegionCode" AS region, c."TimeZone" AS time_zone, {Names<MessagePurpose>("k.\"Purpose\"")} AS purpose,
               m."Status" = 2 AS control, m."Resubmitted" AS resubmitted, k."DepartmentId" AS department_id
        FROM "Messages" m
        JOIN "Campaigns" k ON k."Id" = m."CampaignId"
        JOIN "Clients" c ON c."Id" = m."ClientId"{(sandboxExcluded ? "\n        WHERE k.\"SandboxOwnerId\" IS NULL" : "")};

        CREATE OR REPLACE VIEW bi.campaigns AS
        SELECT k."Id" AS campaign_id, k."ParentCampaignId" AS parent_campaign_id, k."Name" AS name, k."DepartmentId" AS department_id,
               d."Name" AS department, {Names<MessagePurpose>("k.\"Purpose\"")} AS purpose, {Names<CampaignStatus>("k.\"Status\"")} AS status,
               {Names<ScheduleKind>("k.\"ScheduleKind\"")} AS schedule, k."Cron" AS cron, k."ProviderId" AS provider_id, k."SenderId" AS sender_id,
               k."ControlGroupPercent" AS control_group_percent, k."QuietHoursEnabled" AS quiet_hours, k."ValidityHours" AS validity_hours,
               k."RequiresApproval" AS requires_approval, k."ApprovedAt" AS approved_at, k."CreatedAt" AS created_at,
               k."StartedAt" AS started_at, k."FinishedAt" AS finished_at,
               COALESCE(s.n, 0) AS recipients, COALESCE(s.sent, 0) AS sent, COALESCE(s.dlv, 0) AS delivered, COALESCE(s.bad, 0) AS failed,
               COALESCE(s.ctl, 0) AS control, COALESCE(s.parts, 0) AS parts, COALESCE(s.cost, 0) AS cost
        FROM "Campaigns" k
        LEFT JOIN "Departments" d ON d."Id" = k."DepartmentId"
        LEFT JOIN (SELECT "CampaignId" AS cid, COUNT(*) AS n,
                          COUNT(*) FILTER (WHERE "Status" <> 2) AS sent, COUNT(*) FILTER (WHERE "Status" = 4) AS dlv,
                          COUNT(*) FILTER (WHERE "Status" IN (5, 6, 7)) AS bad, COUNT(*) FILTER (WHERE "Status" = 2) AS ctl,
                          SUM("Parts") AS parts, SUM("Cost") AS cost
                   FROM "Messages" WHERE "CampaignId" IS NOT NULL GROUP BY "CampaignId") s ON s.cid = k."Id"{(sandboxExcluded ? "\n        WHERE k.\"SandboxOwnerId\" IS NULL" : "")};

        CREATE OR REPLACE VIEW bi.replies AS
        SELECT i."Id" AS reply_id, i."ReceivedAt" AS received_at, {Names<InboundKind>("i.\"Kind\"")} AS kind,
               CASE WHEN i."ClientId" IS NULL THEN NULL ELSE {string.Format(System.Globalization.CultureInfo.InvariantCulture, ClientKey, "i.\"ClientId\"")} END AS client_key,
               COALESCE(k."ParentCampaignId", i."CampaignId") AS campaign_id, i."CampaignId" AS run_id, i."MessageId" AS message_id,
               i."ProviderId" AS provider_id, k."DepartmentId" AS department_id
        FROM "InboundMessages" i
        LEFT JOIN "Campaigns" k ON k."Id" = i."CampaignId"{(sandboxExcluded ? "\n        WHERE k.\"SandboxOwnerId\" IS NULL AND NOT EXISTS (SELECT 1 FROM \"Clients\" sc WHERE sc.\"Id\" = i.\"ClientId\" AND sc.\"SandboxOwnerId\" IS NOT NULL)" : "")};

        CREATE OR REPLACE VIEW bi.daily_cost AS
        SELECT CAST(COALESCE(m."SubmittedAt", m."CreatedAt") AT TIME ZONE 'UTC' AS date) AS day, k."DepartmentId" AS department_id, d."Name" AS department,
               m."ProviderId" AS provider_id, p."Name" AS provider, c."Operator" AS operator,
               COUNT(*) AS messages, SUM(m."Parts") AS parts, SUM(m."Cost") AS cost
        FROM "Messages" m
        JOIN "Campaigns" k ON k."Id" = m."CampaignId"
        JOIN "Clients" c ON c."Id" = m."ClientId"
        LEFT JOIN "Departments" d ON d."Id" = k."DepartmentId"
        LEFT JOIN "Providers" p ON p."Id" = m."ProviderId"
        WHERE m."Status" <> 2{(sandboxExcluded ? " AND k.\"SandboxOwnerId\" IS NULL" : "")}
        GROUP BY 1, 2, 3, 4, 5, 6;

        COMMENT ON SCHEMA bi IS 'Read-only views for BI tools (docs/bi.md). No personal data.';
        COMMENT ON VIEW bi.messages IS 'One row per campaign message; client_key is a salted SHA-256 pseudonym.';
        COMMENT ON VIEW bi.campaigns IS 'Campaigns and runs with settings, approval, counts and cost.';
        COMMENT ON VIEW bi.replies IS 'Replies, opt-outs and opt-ins, without the sender''s number or text.';
        COMMENT ON VIEW bi.daily_cost IS 'Cost per UTC day x department x provider x operator.';
        """;

    public const string PostgresDown = """
        DROP VIEW IF EXISTS bi.daily_cost;
        DROP VIEW IF EXISTS bi.replies;
        DROP VIEW IF EXISTS bi.campaigns;
        DROP VIEW IF EXISTS bi.messages;
        DROP SCHEMA IF EXISTS bi;
        DROP TABLE IF EXISTS bi_private.salt;
        DROP SCHEMA IF EXISTS bi_private;
        """;

    /// <summary>
    /// Creates (or updates the password of) the login role <c>portal_bi</c> with SELECT on the
    /// <c>bi</c> views only. The role is cluster-wide; the grants are this database's.
    /// </summary>
    public static string CreateRoleSql(string database, string password) => $"""
        DO $$
        BEGIN
          CREATE ROLE {Role} LOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$;
        ALTER ROLE {Role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD '{password.Replace("'", "''", StringComparison.Ordinal)}';
        GRANT CONNECT ON DATABASE "{database.Replace("\"", "\"\"", StringComparison.Ordinal)}" TO {Role};
        GRANT USAGE ON SCHEMA bi TO {Role};
        GRANT SELECT ON ALL TABLES IN SCHEMA bi TO {Role};
        ALTER DEFAULT PRIVILEGES IN SCHEMA bi GRANT SELECT ON TABLES TO {Role};
        REVOKE ALL ON SCHEMA bi_private FROM {Role};
        """;
}
