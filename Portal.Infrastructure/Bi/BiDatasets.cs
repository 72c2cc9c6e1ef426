using System.Data.Common;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;

namespace Portal.Infrastructure.Bi;

/// <summary>
/// The datasets of docs/bi.md. Each column's SQL expression sits next to its name and type, so the
/// select list, the schema in every format and the documentation come from one list (STYLE.md: one
/// record, one descriptor). The conversions dataset is computed by the analytics report (issue 15).
/// </summary>
public static class BiDatasets
{
    public const string Messages = "messages";
    public const string Campaigns = "campaigns";
    public const string Replies = "replies";
    public const string DailyCost = "daily_cost";
    public const string Conversions = "conversions";

    // Column helpers. The SQL expression is kept in the column's description-free Sql map below.
    private static BiColumn C(string name, BiType type, string description, bool personal = false,
        Func<DbDataReader, int, BiReadContext, object?>? read = null) =>
        new(name, type, description, personal) { Read = read };

    /// <summary>Reads column <paramref name="i"/> by its type straight into the row's typed slot (no boxing).</summary>
    internal static void ReadDefault(BiRow row, DbDataReader r, int i)
    {
        if (r.IsDBNull(i))
        {
            row.SetNull(i);
            return;
        }
        switch (row.TypeOf(i))
        {
            case BiType.Int32: row.SetInteger(i, r.GetInt32(i)); break;
            case BiType.Int64: row.SetInteger(i, r.GetInt64(i)); break;
            case BiType.Decimal: row.SetDecimal(i, Math.Round(r.GetDecimal(i), 4)); break;
            case BiType.Double: row.SetDouble(i, r.GetDouble(i)); break;
            case BiType.Text: row.SetText(i, r.GetString(i)); break;
            case BiType.Boolean: row.SetInteger(i, r.GetBoolean(i) ? 1 : 0); break;
            case BiType.Timestamp: row.SetTime(i, DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc)); break;
            case BiType.Date: row.SetTime(i, DateTime.SpecifyKind(DateTime.ParseExact(r.GetString(i), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc)); break;
            default: throw new ArgumentOutOfRangeException(nameof(i));
        }
    }

    private static readonly string[] StatusNames = Enum.GetValues<MessageStatus>().OrderBy(s => (int)s).Select(s => s.ToString()).ToArray();

    private static object? Status(DbDataReader r, int i, BiReadContext _)
    {
        var s = r.GetInt32(i);
        return s >= 0 && s < StatusNames.Length ? StatusNames[s] : s.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static object? Purpose(DbDataReader r, int i, BiReadContext _) =>
        r.IsDBNull(i) ? null : ((MessagePurpose)r.GetInt32(i)).ToString();

    private static object? ClientKey(DbDataReader r, int i, BiReadContext x) => r.IsDBNull(i) ? null : x.Pseudonym.Of(r.GetInt64(i));

    private static readonly object True = true, False = false;

    private static (BiColumn Column, string Sql)[] MessageColumns =>
    [
        (C("message_id", BiType.Int64, "Portal's message id; unique, increasing."), "m.\"Id\""),
        (C("campaign_id", BiType.Int32, "The campaign (for a recurring campaign's run: the parent campaign)."), "COALESCE(k.\"ParentCampaignId\", m.\"CampaignId\")"),
        (C("run_id", BiType.Int32, "The campaign row the message was snapshotted into (a run of a recurring campaign, or the campaign itself)."), "m.\"CampaignId\""),
        (C("client_key", BiType.Text, "Pseudonymous client key: HMAC-SHA256 of the client id with the installation's key, 32 hex digits; stable across exports.", read: ClientKey), "m.\"ClientId\""),
        (C("provider_id", BiType.Int32, "The SMS provider that took the message."), "m.\"ProviderId\""),
        (C("status", BiType.Text, "Queued, Deferred, Control, Submitted, Delivered, Undeliverable, Expired, Rejected, Uncertain, Unknown, Cancelled, Submitting.", read: Status), "m.\"Status\""),
        (C("error_code", BiType.Text, "The provider's or SMSC's error code, if any."), "m.\"ErrorCode\""),
        (C("parts", BiType.Int32, "SMS parts billed."), "m.\"Parts\""),
        (C("encoding", BiType.Text, "GSM7 or UCS2 (of the campaign's text).", read: (r, i, x) => r.IsDBNull(i) ? null : x.Encodings.GetValueOrDefault(r.GetInt32(i))), "m.\"CampaignId\""),
        (C("cost", BiType.Decimal, "Cost of the message (all parts)."), "m.\"Cost\""),
        (C("currency", BiType.Text, "ISO 4217 currency of the cost (Bi:Currency).", read: (_, _, x) => x.Currency), "NULL"),
        (C("queued_at", BiType.Timestamp, "When the message was snapshotted (UTC)."), "m.\"CreatedAt\""),
        (C("submitted_at", BiType.Timestamp, "When the provider accepted it (UTC)."), "m.\"SubmittedAt\""),
        (C("delivered_at", BiType.Timestamp, "When the deciding receipt reached Portal (UTC)."), "m.\"DoneAt\""),
        (C("operator", BiType.Text, "The client's mobile operator."), "c.\"Operator\""),
        (C("region", BiType.Text, "The client's region code."), "c.\"RegionCode\""),
        (C("time_zone", BiType.Text, "The client's IANA time zone."), "c.\"TimeZone\""),
        (C("purpose", BiType.Text, "Service or Advertising.", read: Purpose), "k.\"Purpose\""),
        (C("control", BiType.Boolean, "In the control group (deliberately not sent).", read: (r, i, _) => r.GetInt32(i) == (int)MessageStatus.Control ? True : False), "m.\"Status\""),
        (C("resubmitted", BiType.Boolean, "Sent again after its sender died mid-submit."), "m.\"Resubmitted\""),
        (C("department_id", BiType.Int32, "The campaign's department."), "k.\"DepartmentId\""),
        (C("phone", BiType.Text, "The number it went to. Personal data.", personal: true), "m.\"Phone\""),
        (C("client_name", BiType.Text, "The client's first and last name. Personal data.", personal: true), "TRIM(COALESCE(c.\"FirstName\", '') || ' ' || COALESCE(c.\"LastName\", ''))"),
        (C("text", BiType.Text, "The campaign's message text (template). Personal data: it may carry names.", personal: true), "k.\"Body\""),
    ];

    private static (BiColumn Column, string Sql)[] CampaignColumns =>
    [
        (C("campaign_id", BiType.Int32, "Campaign id; a recurring campaign's runs have their own ids."), "k.\"Id\""),
        (C("parent_campaign_id", BiType.Int32, "For a run: the recurring campaign it belongs to."), "k.\"ParentCampaignId\""),
        (C("name", BiType.Text, "Campaign name."), "k.\"Name\""),
        (C("department_id", BiType.Int32, "The author's department."), "k.\"DepartmentId\""),
        (C("department", BiType.Text, "The department's name."), "d.\"Name\""),
        (C("purpose", BiType.Text, "Service or Advertising.", read: Purpose), "k.\"Purpose\""),
        (C("status", BiType.Text, "Draft, Scheduled, Running, Paused, Completed, Cancelled, Failed, …", read: (r, i, _) => ((CampaignStatus)r.GetInt32(i)).ToString()), "k.\"Status\""),
        (C("schedule", BiType.Text, "How it is scheduled.", read: (r, i, _) => ((ScheduleKind)r.GetInt32(i)).ToString()), "k.\"ScheduleKind\""),
        (C("cron", BiType.Text, "Cron of a recurring campaign."), "k.\"Cron\""),
        (C("provider_id", BiType.Int32, "Provider chosen for the campaign (null: routed)."), "k.\"ProviderId\""),
        (C("sender_id", BiType.Text, "Alphanumeric sender."), "k.\"SenderId\""),
        (C("control_group_percent", BiType.Int32, "Share of recipients held back as control."), "k.\"ControlGroupPercent\""),
        (C("quiet_hours", BiType.Boolean, "Quiet hours in the client's zone apply."), "k.\"QuietHoursEnabled\""),
        (C("validity_hours", BiType.Int32, "Validity period given to the SMSC."), "k.\"ValidityHours\""),
        (C("requires_approval", BiType.Boolean, "Needed a second person's approval."), "k.\"RequiresApproval\""),
        (C("approved_at", BiType.Timestamp, "When it was approved (UTC)."), "k.\"ApprovedAt\""),
        (C("created_at", BiType.Timestamp, "When it was created (UTC)."), "k.\"CreatedAt\""),
        (C("started_at", BiType.Timestamp, "When sending started (UTC)."), "k.\"StartedAt\""),
        (C("finished_at", BiType.Timestamp, "When it finished (UTC)."), "k.\"FinishedAt\""),
        (C("recipients", BiType.Int64, "Messages snapshotted (control included)."), "COALESCE(s.n, 0)"),
        (C("sent", BiType.Int64, "Messages not in the control group."), "COALESCE(s.sent, 0)"),
        (C("delivered", BiType.Int64, "Delivered messages."), "COALESCE(s.dlv, 0)"),
        (C("failed", BiType.Int64, "Undeliverable, expired or rejected messages."), "COALESCE(s.bad, 0)"),
        (C("control", BiType.Int64, "Messages in the control group."), "COALESCE(s.ctl, 0)"),
        (C("parts", BiType.Int64, "SMS parts billed."), "COALESCE(s.parts, 0)"),
        (C("cost", BiType.Decimal, "Total cost."), "COALESCE(s.cost, 0)"),
        (C("currency", BiType.Text, "ISO 4217 currency of the cost.", read: (_, _, x) => x.Currency), "NULL"),
        (C("author", BiType.Text, "Who created it (an employee's login). Personal data.", personal: true), "k.\"CreatedBy\""),
        (C("approved_by", BiType.Text, "Who approved it. Personal data.", personal: true), "k.\"ApprovedBy\""),
        (C("text", BiType.Text, "The message text (template). Personal data: it may carry names.", personal: true), "k.\"Body\""),
    ];

    private static (BiColumn Column, string Sql)[] ReplyColumns =>
    [
        (C("reply_id", BiType.Int64, "Inbound message id; unique, increasing."), "i.\"Id\""),
        (C("received_at", BiType.Timestamp, "When it arrived (UTC)."), "i.\"ReceivedAt\""),
        (C("kind", BiType.Text, "Reply, OptOut or OptIn.", read: (r, i, _) => ((InboundKind)r.GetInt32(i)).ToString()), "i.\"Kind\""),
        (C("client_key", BiType.Text, "Pseudonymous client key (see messages).", read: ClientKey), "i.\"ClientId\""),
        (C("campaign_id", BiType.Int32, "The campaign it answers (parent of a run)."), "COALESCE(k.\"ParentCampaignId\", i.\"CampaignId\")"),
        (C("run_id", BiType.Int32, "The campaign row it answers."), "i.\"CampaignId\""),
        (C("message_id", BiType.Int64, "The message it answers."), "i.\"MessageId\""),
        (C("provider_id", BiType.Int32, "The provider it came through."), "i.\"ProviderId\""),
        (C("department_id", BiType.Int32, "The campaign's department."), "k.\"DepartmentId\""),
        (C("phone", BiType.Text, "The sender's number. Personal data.", personal: true), "i.\"From\""),
        (C("text", BiType.Text, "What the client wrote. Personal data.", personal: true), "i.\"Text\""),
    ];

    private static (BiColumn Column, string Sql)[] DailyCostColumns =>
    [
        (C("day", BiType.Date, "UTC day the message was submitted (queued, if never submitted)."), "day"),
        (C("department_id", BiType.Int32, "The campaign's department (null: no department)."), "dep"),
        (C("department", BiType.Text, "The department's name."), "dn"),
        (C("provider_id", BiType.Int32, "The provider."), "prov"),
        (C("provider", BiType.Text, "The provider's name."), "pn"),
        (C("operator", BiType.Text, "The client's mobile operator."), "op"),
        (C("messages", BiType.Int64, "Messages sent (control group excluded)."), "n"),
        (C("parts", BiType.Int64, "SMS parts billed."), "parts"),
        (C("cost", BiType.Decimal, "Total cost."), "cost"),
        (C("currency", BiType.Text, "ISO 4217 currency of the cost.", read: (_, _, x) => x.Currency), "NULL"),
    ];

    private static string Select((BiColumn Column, string Sql)[] cols, bool personal) =>
        string.Join(", ", cols.Where(c => personal || !c.Column.Personal).Select(c => c.Sql));

    private static BiDataset Make(string name, int version, string description, (BiColumn Column, string Sql)[] cols, Func<BiSql, string, string> body, bool keyed) =>
        new(name, version, description, cols.Select(c => c.Column).ToList(), q => body(q, Select(cols, q.Personal)), keyed);

    /// <remarks>
    /// A page of messages on PostgreSQL (the read API) takes its rows from the keyset first and joins
    /// the client per row (LATERAL … OFFSET 0 keeps the planner from flattening it): the plan stays
    /// "walk the primary key from the cursor, 10,000 index lookups" whatever the statistics say. With
    /// the plain join and stale statistics (a freshly loaded campaign), PostgreSQL joined every row
    /// after the cursor and sorted: 0.7-2 s for a deep page of 500,000 rows instead of ~90 ms.
    /// </remarks>
    public static IReadOnlyList<BiDataset> All { get; } =
    [
        Make(Messages, 1, "One row per message of a campaign.", MessageColumns, (q, select) => q.Pg && q.Limit is not null ? $"""
            SELECT {select}
            FROM (SELECT m0.* FROM "Messages" m0
                  WHERE m0."CampaignId" IN (SELECT k0."Id" FROM "Campaigns" k0 WHERE k0."SandboxOwnerId" IS NULL{q.Where(null, "k0.\"DepartmentId\"", "k0.\"Id\"", "k0.\"ParentCampaignId\"")})
                  {q.Where("m0.\"CreatedAt\"", null, null, null)}{q.KeysetAndLimit("m0.\"Id\"")}) m
            JOIN "Campaigns" k ON k."Id" = m."CampaignId"
            JOIN LATERAL (SELECT * FROM "Clients" c0 WHERE c0."Id" = m."ClientId" OFFSET 0) c ON TRUE
            ORDER BY m."Id"
            """ : $"""
            SELECT {select}
            FROM "Messages" m
            JOIN "Campaigns" k ON k."Id" = m."CampaignId"
            JOIN "Clients" c ON c."Id" = m."ClientId"
            WHERE k."SandboxOwnerId" IS NULL{q.Where("m.\"CreatedAt\"", "k.\"DepartmentId\"", "m.\"CampaignId\"", "k.\"ParentCampaignId\"")}{q.KeysetAndLimit("m.\"Id\"")}
            """, keyed: true),
        Make(Campaigns, 1, "One row per campaign or run, with its settings, approval, counts and cost.", CampaignColumns, (q, select) => $"""
            SELECT {select}
            FROM "Campaigns" k
            LEFT JOIN "Departments" d ON d."Id" = k."DepartmentId"
            LEFT JOIN (SELECT "CampaignId" AS cid, COUNT(*) AS n,
                              {q.Big("SUM(CASE WHEN \"Status\" <> 2 THEN 1 ELSE 0 END)")} AS sent,
                              {q.Big("SUM(CASE WHEN \"Status\" = 4 THEN 1 ELSE 0 END)")} AS dlv,
                              {q.Big("SUM(CASE WHEN \"Status\" IN (5, 6, 7) THEN 1 ELSE 0 END)")} AS bad,
                              {q.Big("SUM(CASE WHEN \"Status\" = 2 THEN 1 ELSE 0 END)")} AS ctl,
                              {q.Big("SUM(\"Parts\")")} AS parts, SUM("Cost") AS cost
                       FROM "Messages" WHERE "CampaignId" IS NOT NULL GROUP BY "CampaignId") s ON s.cid = k."Id"
            WHERE k."SandboxOwnerId" IS NULL{q.Where("k.\"CreatedAt\"", "k.\"DepartmentId\"", "k.\"Id\"", "k.\"ParentCampaignId\"")}{q.KeysetAndLimit("k.\"Id\"")}
            """, keyed: true),
        Make(Replies, 1, "Replies, opt-outs and opt-ins clients sent.", ReplyColumns, (q, select) => $"""
            SELECT {select}
            FROM "InboundMessages" i
            LEFT JOIN "Campaigns" k ON k."Id" = i."CampaignId"
            WHERE k."SandboxOwnerId" IS NULL AND NOT EXISTS (SELECT 1 FROM "Clients" sc WHERE sc."Id" = i."ClientId" AND sc."SandboxOwnerId" IS NOT NULL){q.Where("i.\"ReceivedAt\"", "k.\"DepartmentId\"", "i.\"CampaignId\"", "k.\"ParentCampaignId\"")}{q.KeysetAndLimit("i.\"Id\"")}
            """, keyed: true),
        Make(DailyCost, 1, "Cost per UTC day × department × provider × operator.", DailyCostColumns, (q, select) => $"""
            SELECT {select} FROM (
              SELECT {q.Day("COALESCE(m.\"SubmittedAt\", m.\"CreatedAt\")")} AS day, k."DepartmentId" AS dep, d."Name" AS dn,
                     m."ProviderId" AS prov, p."Name" AS pn, c."Operator" AS op,
                     COUNT(*) AS n, {q.Big("SUM(m.\"Parts\")")} AS parts, SUM(m."Cost") AS cost
              FROM "Messages" m
              JOIN "Campaigns" k ON k."Id" = m."CampaignId"
              JOIN "Clients" c ON c."Id" = m."ClientId"
              LEFT JOIN "Departments" d ON d."Id" = k."DepartmentId"
              LEFT JOIN "Providers" p ON p."Id" = m."ProviderId"
              WHERE m."Status" <> 2 AND k."SandboxOwnerId" IS NULL{q.Where("COALESCE(m.\"SubmittedAt\", m.\"CreatedAt\")", "k.\"DepartmentId\"", "m.\"CampaignId\"", "k.\"ParentCampaignId\"")}
              GROUP BY 1, 2, 3, 4, 5, 6) g
            ORDER BY day, dep, prov, op
            """, keyed: false),
        new(Conversions, 1, "Conversions and uplift per campaign, from the analytics of issue 15 (campaigns started in the period).",
        [
            new("campaign_id", BiType.Int32, "Campaign id."),
            new("name", BiType.Text, "Campaign name."),
            new("department_id", BiType.Int32, "The author's department."),
            new("purpose", BiType.Text, "Service or Advertising."),
            new("started_at", BiType.Timestamp, "When sending started (UTC)."),
            new("recipients", BiType.Int64, "Recipients of the sent group (control group excluded)."),
            new("delivered", BiType.Int64, "Delivered messages."),
            new("cost", BiType.Double, "Total cost."),
            new("replies", BiType.Int64, "Recipients who replied."),
            new("opt_outs", BiType.Int64, "Recipients who opted out."),
            new("conversions", BiType.Int64, "Recipients who converted within the attribution window (sent and control groups)."),
            new("absolute_uplift", BiType.Double, "Conversion rate of the sent group minus the control group's (null without a control group)."),
            new("incremental_conversions", BiType.Double, "Conversions caused by the campaign (estimate)."),
            new("has_control", BiType.Boolean, "Had a control group."),
            new("significant", BiType.Boolean, "The uplift is significant at 95 %."),
            new("cost_per_incremental_conversion", BiType.Double, "Cost / incremental conversions (null when not positive)."),
        ], _ => "", keyed: false),
    ];

    public static BiDataset? Find(string name) => All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
}
