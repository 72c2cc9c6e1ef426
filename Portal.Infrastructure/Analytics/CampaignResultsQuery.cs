using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Analytics;

/// <summary>
/// The one set-based pass that computes every cell of a campaign's results: a base of the campaign's
/// message rows joined once to their client, conversion, replies and opt-outs, then one GROUP BY per
/// breakdown over it (UNION ALL). The SQL is the same on both databases except for two date functions
/// and how the replied / opted-out flags are found (see Inbound below).
/// Local send hour and age band are grouped here by raw UTC hour and birth year (small key sets) and
/// folded into local hours and bands in C#, where time zones and calendars are exact.
/// </summary>
internal static class CampaignResultsQuery
{
    private sealed record Row(string Dim, string Val, int Ctl, long N, long Dlv, long Rep, long Opt, long Cnv, long Amt, double Sq, double Cost);

    public static async Task<List<ResultCell>> ComputeAsync(PortalDbContext db, int campaignId, CancellationToken ct)
    {
        var pg = db.Database.IsNpgsql();
        string Hour(string x) => pg ? $"CAST(EXTRACT(HOUR FROM {x}) AS integer)" : $"CAST(strftime('%H', {x}) AS INTEGER)";
        string Year(string x) => pg ? $"CAST(EXTRACT(YEAR FROM {x}) AS integer)" : $"CAST(substr({x}, 1, 4) AS INTEGER)";
        string Float(string x) => pg ? $"CAST({x} AS double precision)" : $"CAST({x} AS REAL)";
        string Text(string x) => pg ? $"CAST({x} AS text)" : $"CAST({x} AS TEXT)";
        string Big(string x) => pg ? $"CAST({x} AS bigint)" : x;
        // Replied / opted out: PostgreSQL hash-joins the campaign's distinct repliers once. SQLite scanned
        // that derived table for every message row (no automatic index on it: 200,000 rows x 4,000
        // replies, over an hour on a loaded machine), so there each row probes the (CampaignId, ClientId) index.
        string Inbound(int kind, string alias) => pg
            ? $"CASE WHEN {alias}.\"ClientId\" IS NULL THEN 0 ELSE 1 END"
            : $"CASE WHEN EXISTS (SELECT 1 FROM \"InboundMessages\" i WHERE i.\"CampaignId\" = m.\"CampaignId\" AND i.\"ClientId\" = m.\"ClientId\" AND i.\"Kind\" = {kind}) THEN 1 ELSE 0 END";
        string InboundJoin(int kind, string alias) => pg
            ? $"LEFT JOIN (SELECT DISTINCT \"ClientId\" FROM \"InboundMessages\" WHERE \"CampaignId\" = {{0}} AND \"Kind\" = {kind}) {alias} ON {alias}.\"ClientId\" = m.\"ClientId\""
            : "";

        const string p0 = "{0}";
        string Group(string dim, string key) => $"""
            SELECT '{dim}' AS "Dim", COALESCE({Text(key)}, '') AS "Val", ctl AS "Ctl", COUNT(*) AS "N",
                   {Big("SUM(dlv)")} AS "Dlv", {Big("SUM(rep)")} AS "Rep", {Big("SUM(opt)")} AS "Opt", {Big("SUM(cnv)")} AS "Cnv",
                   {Big("SUM(amt)")} AS "Amt", SUM({Float("amt")} * {Float("amt")}) AS "Sq", SUM({Float("cost")}) AS "Cost"
            FROM base GROUP BY {(key == "''" ? "ctl" : key + ", ctl")}
            """;

        var sql = $"""
            WITH base AS (
              SELECT CASE WHEN m."Status" = 2 THEN 1 ELSE 0 END AS ctl,
                     CASE WHEN m."Status" = 4 THEN 1 ELSE 0 END AS dlv,
                     {Inbound(1, "r")} AS rep,
                     {Inbound(2, "o")} AS opt,
                     CASE WHEN v."ClientId" IS NULL THEN 0 ELSE 1 END AS cnv,
                     COALESCE(v."AmountMinor", 0) AS amt,
                     m."Cost" AS cost, m."ProviderId" AS prov, m."Parts" AS parts,
                     {Hour("COALESCE(m.\"SubmittedAt\", m.\"CreatedAt\")")} AS hr,
                     c."RegionCode" AS region, c."TimeZone" AS tz, c."LoyaltyTier" AS tier,
                     {Year("c.\"BirthDate\"")} AS born, c."Gender" AS gender, c."Operator" AS op
              FROM "Messages" m
              JOIN "Clients" c ON c."Id" = m."ClientId"
              LEFT JOIN "Conversions" v ON v."CampaignId" = m."CampaignId" AND v."ClientId" = m."ClientId"
              {InboundJoin(1, "r")}
              {InboundJoin(2, "o")}
              WHERE m."CampaignId" = {p0})
            {Group(ResultDimensions.Total, "''")}
            UNION ALL {Group(ResultDimensions.Region, "region")}
            UNION ALL {Group(ResultDimensions.TimeZone, "tz")}
            UNION ALL {Group(ResultDimensions.Loyalty, "tier")}
            UNION ALL {Group(ResultDimensions.AgeBand, "born")}
            UNION ALL {Group(ResultDimensions.Gender, "gender")}
            UNION ALL {Group(ResultDimensions.Operator, "op")}
            UNION ALL {Group(ResultDimensions.Provider, "prov")}
            UNION ALL {Group(ResultDimensions.Parts, "parts")}
            UNION ALL {Group("utchour", "tz || '|' || " + Text("hr"))}
            """;
        // One pass over every message row of the campaign: seconds at 1.9 M, so not the default 30 s limit.
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var rows = await db.Database.SqlQueryRaw<Row>(sql, campaignId).ToListAsync(ct);
        return rows.Select(r => new ResultCell(r.Dim, r.Val, r.Ctl == 1, r.N, r.Dlv, r.Rep, r.Opt, r.Cnv, r.Amt, r.Sq, r.Cost)).ToList();
    }
}
