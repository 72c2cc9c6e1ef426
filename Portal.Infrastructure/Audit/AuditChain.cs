using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Infrastructure.Audit;

/// <summary>
/// The audit log's hash chain (issue 14): every entry stores the previous entry's hash and
/// SHA-256 over that hash and its own content, so changing, removing or reordering an entry breaks
/// every link after it. The database computes the chain in an insert trigger (serialised across
/// nodes by a transaction-scoped advisory lock on PostgreSQL, by SQLite's single writer), so no
/// code path can skip it; <see cref="AuditChainVerifier"/> recomputes it here, independently.
/// </summary>
public static class AuditChain
{
    /// <summary>Key of the PostgreSQL advisory lock that serialises chain appends.</summary>
    public const long AdvisoryLockKey = 7_414_001;

    /// <summary>
    /// Minimum age before an entry may be deleted (the legal period of the audit trail). The
    /// database's append-only trigger enforces it; the retention job may not go below it.
    /// </summary>
    public const int MinRetentionDays = 1095;

    /// <summary>The timestamp as both databases render it for the hash: UTC, microseconds, truncated.</summary>
    public static string FormatAt(DateTime at) =>
        DateTime.SpecifyKind(at, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    /// <summary>
    /// SHA-256 (lowercase hex) of the previous hash and the entry. Each text field is written as
    /// its UTF-8 byte length, a colon and the text (null as "~"), so no two entries share an input.
    /// </summary>
    public static string Hash(string previous, long seq, long id, string at, string? userId, string? userName, string action,
        string? entityType, string? entityId, string? details)
    {
        var text = string.Join('\n', previous, seq.ToString(CultureInfo.InvariantCulture), id.ToString(CultureInfo.InvariantCulture), at,
            Field(userId), Field(userName), Field(action), Field(entityType), Field(entityId), Field(details));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static string Field(string? value) =>
        value is null ? "~" : $"{Encoding.UTF8.GetByteCount(value).ToString(CultureInfo.InvariantCulture)}:{value}";

    /// <summary>The SQLite trigger's function: the raw stored timestamp text is normalised first.</summary>
    internal static string SqliteHash(string? previous, long seq, long id, string at, string? userId, string? userName, string action,
        string? entityType, string? entityId, string? details)
    {
        var parsed = DateTime.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        return Hash(previous ?? "", seq, id, FormatAt(parsed), userId, userName, action, entityType, entityId, details);
    }

    /// <summary>PostgreSQL: the chain trigger, the append-only guard, and sealing of entries written before them.</summary>
    public static readonly string PostgresUp = $$"""
        CREATE OR REPLACE FUNCTION portal_audit_field(v text) RETURNS text LANGUAGE sql IMMUTABLE AS
        $f$ SELECT CASE WHEN v IS NULL THEN '~' ELSE octet_length(v)::text || ':' || v END $f$;

        CREATE OR REPLACE FUNCTION portal_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $f$
        DECLARE last_seq bigint; last_hash text;
        BEGIN
          -- One appender at a time across every node, until its transaction ends: the chain order
          -- is the commit order. A VOLATILE function takes a fresh snapshot per query, so the
          -- SELECT below sees the entry the previous lock holder committed.
          PERFORM pg_advisory_xact_lock({{AdvisoryLockKey}});
          SELECT "ChainSeq", "Hash" INTO last_seq, last_hash FROM "AuditEntries"
            WHERE "ChainSeq" IS NOT NULL ORDER BY "ChainSeq" DESC LIMIT 1;
          NEW."ChainSeq" := COALESCE(last_seq, 0) + 1;
          NEW."PrevHash" := COALESCE(last_hash, '');
          NEW."Hash" := encode(sha256(convert_to(
            NEW."PrevHash" || E'\n' || NEW."ChainSeq"::text || E'\n' || NEW."Id"::text || E'\n' ||
            to_char(NEW."At" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || E'\n' ||
            portal_audit_field(NEW."UserId") || E'\n' || portal_audit_field(NEW."UserName") || E'\n' ||
            portal_audit_field(NEW."Action") || E'\n' || portal_audit_field(NEW."EntityType") || E'\n' ||
            portal_audit_field(NEW."EntityId") || E'\n' || portal_audit_field(NEW."Details"), 'UTF8')), 'hex');
          RETURN NEW;
        END $f$;

        CREATE OR REPLACE FUNCTION portal_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
          -- The only deletion: retention of entries past the legal period (change the interval
          -- here, as the database owner, if the operator's legal period differs).
          IF TG_OP = 'DELETE' AND OLD."At" < now() - interval '{{MinRetentionDays}} days' THEN
            RETURN OLD;
          END IF;
          RAISE EXCEPTION 'AuditEntries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $f$;

        -- Entries written before the chain existed are sealed in id order: copied out and
        -- inserted again through the trigger.
        CREATE TEMP TABLE audit_legacy ON COMMIT DROP AS SELECT * FROM "AuditEntries";
        DELETE FROM "AuditEntries";
        CREATE TRIGGER audit_chain BEFORE INSERT ON "AuditEntries" FOR EACH ROW EXECUTE FUNCTION portal_audit_chain();
        INSERT INTO "AuditEntries" ("Id", "At", "UserId", "UserName", "Action", "EntityType", "EntityId", "Details")
          SELECT "Id", "At", "UserId", "UserName", "Action", "EntityType", "EntityId", "Details" FROM audit_legacy ORDER BY "Id";
        CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON "AuditEntries" FOR EACH ROW EXECUTE FUNCTION portal_audit_guard();
        CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "AuditEntries" FOR EACH STATEMENT EXECUTE FUNCTION portal_audit_guard();
        """;

    public const string PostgresDown = """
        DROP TRIGGER IF EXISTS audit_no_truncate ON "AuditEntries";
        DROP TRIGGER IF EXISTS audit_append_only ON "AuditEntries";
        DROP TRIGGER IF EXISTS audit_chain ON "AuditEntries";
        DROP FUNCTION IF EXISTS portal_audit_guard();
        DROP FUNCTION IF EXISTS portal_audit_chain();
        DROP FUNCTION IF EXISTS portal_audit_field(text);
        """;

    /// <summary>
    /// SQLite: the same rules; <c>portal_audit_hash</c> is registered on every connection by
    /// <c>SqlitePortalDbContext</c>. SQLite has one writer at a time, which serialises appends.
    /// </summary>
    public static readonly string SqliteUp = $$"""
        CREATE TEMP TABLE audit_legacy AS SELECT * FROM "AuditEntries";
        DELETE FROM "AuditEntries";
        CREATE TRIGGER audit_forged BEFORE INSERT ON "AuditEntries" FOR EACH ROW
          WHEN NEW."Hash" IS NOT NULL OR NEW."ChainSeq" IS NOT NULL OR NEW."PrevHash" IS NOT NULL
          BEGIN SELECT RAISE(ABORT, 'AuditEntries: the chain columns are set by the database'); END;
        CREATE TRIGGER audit_chain AFTER INSERT ON "AuditEntries" FOR EACH ROW
          BEGIN
            UPDATE "AuditEntries" SET
              "PrevHash" = COALESCE((SELECT "Hash" FROM "AuditEntries" WHERE "ChainSeq" = (SELECT MAX("ChainSeq") FROM "AuditEntries")), ''),
              "Hash" = portal_audit_hash(
                COALESCE((SELECT "Hash" FROM "AuditEntries" WHERE "ChainSeq" = (SELECT MAX("ChainSeq") FROM "AuditEntries")), ''),
                (SELECT COALESCE(MAX("ChainSeq"), 0) + 1 FROM "AuditEntries"),
                NEW."Id", NEW."At", NEW."UserId", NEW."UserName", NEW."Action", NEW."EntityType", NEW."EntityId", NEW."Details"),
              "ChainSeq" = (SELECT COALESCE(MAX("ChainSeq"), 0) + 1 FROM "AuditEntries")
            WHERE "Id" = NEW."Id";
          END;
        INSERT INTO "AuditEntries" ("Id", "At", "UserId", "UserName", "Action", "EntityType", "EntityId", "Details")
          SELECT "Id", "At", "UserId", "UserName", "Action", "EntityType", "EntityId", "Details" FROM audit_legacy ORDER BY "Id";
        DROP TABLE audit_legacy;
        CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON "AuditEntries" FOR EACH ROW WHEN OLD."Hash" IS NOT NULL
          BEGIN SELECT RAISE(ABORT, 'AuditEntries is append-only: UPDATE refused'); END;
        CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON "AuditEntries" FOR EACH ROW
          WHEN OLD."At" >= strftime('%Y-%m-%d %H:%M:%f', 'now', '-{{MinRetentionDays}} days')
          BEGIN SELECT RAISE(ABORT, 'AuditEntries is append-only: DELETE refused'); END;
        """;

    public const string SqliteDown = """
        DROP TRIGGER IF EXISTS audit_append_only_delete;
        DROP TRIGGER IF EXISTS audit_append_only_update;
        DROP TRIGGER IF EXISTS audit_chain;
        DROP TRIGGER IF EXISTS audit_forged;
        """;
}
