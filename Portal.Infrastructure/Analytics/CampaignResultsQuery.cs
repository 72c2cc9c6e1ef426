using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Analytics;

/// <summary>
/// The set-based passes that compute the cells of a campaign's results, in two parts that change at
/// different times and add up to the whole:
/// <list type="bullet">
/// <item><see cref="BaseAsync"/>: every message row of the campaign joined once to its client, counted
/// with its delivery and cost. It changes only while receipts arrive, so a settled campaign computes it once.</item>
/// <item><see cref="ResponseAsync"/>: only the responders (clients with a conversion, a reply or an
/// opt-out), with their replied, opted-out and converted flags and revenue. A few percent of the rows:
/// it is what a read recomputes when events, replies or opt-outs arrive.</item>
/// </list>
/// A non-responder's row has every response flag 0, so base + response equals the one pass over all
/// rows with every flag (what a test checks). Each part groups by every breakdown: GROUPING SETS on
/// PostgreSQL (one pass, several hash tables), one GROUP BY per breakdown over the rows (UNION ALL) on SQLite.
/// Local send hour and age band are grouped here by raw UTC hour and birth year (small key sets) and
/// folded into local hours and bands in C#, where time zones and calendars are exact.
/// </summary>
internal static class CampaignResultsQuery
{
    private sealed record Row(string Dim, string Val, int Ctl, long N, long Dlv, long Rep, long Opt, long Cnv, long Amt, double Sq, double Cost);

    /// <summary>The raw grouping keys (before <see cref="CampaignResults.Fold"/>): a breakdown name and the column of the rows it groups by.</summary>
    private static readonly (string Dim, string Key)[] Keys =
    [
        (ResultDimensions.Region, "region"), (ResultDimensions.TimeZone, "tz"), (ResultDimensions.Loyalty, "tier"),
        (ResultDimensions.AgeBand, "born"), (ResultDimensions.Gender, "gender"), (ResultDimensions.Operator, "op"),
        (ResultDimensions.Provider, "prov"), (ResultDimensions.Parts, "parts"), ("utchour", "tzhr"),
    ];

    /// <summary>Recipients, delivered and cost per cell; the response counts are 0.</summary>
    public static Task<List<ResultCell>> BaseAsync(PortalDbContext db, int campaignId, CancellationToken ct) =>
        RunAsync(db, campaignId, response: false, ct);

    /// <summary>Replied, opted out, converted and revenue per cell, over the responders only; the other counts are 0.</summary>
    public static Task<List<ResultCell>> ResponseAsync(PortalDbContext db, int campaignId, CancellationToken ct) =>
        RunAsync(db, campaignId, response: true, ct);

    private static async Task<List<ResultCell>> RunAsync(PortalDbContext db, int campaignId, bool response, CancellationToken ct)
    {
        var pg = db.Database.IsNpgsql();
        string Hour(string x) => pg ? $"CAST(EXTRACT(HOUR FROM {x}) AS integer)" : $"CAST(strftime('%H', {x}) AS INTEGER)";
        string Year(string x) => pg ? $"CAST(EXTRACT(YEAR FROM {x}) AS integer)" : $"CAST(substr({x}, 1, 4) AS INTEGER)";
        string Float(string x) => pg ? $"CAST({x} AS double precision)" : $"CAST({x} AS REAL)";
        string Text(string x) => pg ? $"CAST({x} AS text)" : $"CAST({x} AS TEXT)";
        string Big(string x) => pg ? $"CAST({x} AS bigint)" : x;
        // Each responder row probes the (CampaignId, ClientId) indexes: a few percent of the campaign's rows.
        string Inbound(int kind) =>
            $"CASE WHEN EXISTS (SELECT 1 FROM \"InboundMessages\" i WHERE i.\"CampaignId\" = m.\"CampaignId\" AND i.\"ClientId\" = m.\"ClientId\" AND i.\"Kind\" = {kind}) THEN 1 ELSE 0 END";

        const string p0 = "{0}";
        var columns = $"""
            CASE WHEN m."Status" = 2 THEN 1 ELSE 0 END AS ctl,
            m."ProviderId" AS prov, m."Parts" AS parts,
            c."RegionCode" AS region, c."TimeZone" AS tz, c."LoyaltyTier" AS tier,
            {Year("c.\"BirthDate\"")} AS born, c."Gender" AS gender, c."Operator" AS op,
            c."TimeZone" || '|' || {Text(Hour("COALESCE(m.\"SubmittedAt\", m.\"CreatedAt\")"))} AS tzhr
            """;
        var rows = response
            ? $"""
               WITH who AS (
                 SELECT "ClientId" FROM "Conversions" WHERE "CampaignId" = {p0}
                 UNION SELECT "ClientId" FROM "InboundMessages" WHERE "CampaignId" = {p0} AND "Kind" IN (1, 2) AND "ClientId" IS NOT NULL),
               base AS (
                 SELECT {columns}, 0 AS one, 0 AS dlv, {Inbound(1)} AS rep, {Inbound(2)} AS opt,
                        CASE WHEN v."ClientId" IS NULL THEN 0 ELSE 1 END AS cnv, COALESCE(v."AmountMinor", 0) AS amt, 0 AS cost
                 FROM who w
                 JOIN "Messages" m ON m."CampaignId" = {p0} AND m."ClientId" = w."ClientId"
                 JOIN "Clients" c ON c."Id" = m."ClientId"
                 LEFT JOIN "Conversions" v ON v."CampaignId" = m."CampaignId" AND v."ClientId" = m."ClientId")
               """
            : $"""
               WITH base AS (
                 SELECT {columns}, 1 AS one, CASE WHEN m."Status" = 4 THEN 1 ELSE 0 END AS dlv, 0 AS rep, 0 AS opt, 0 AS cnv, 0 AS amt, m."Cost" AS cost
                 FROM "Messages" m
                 JOIN "Clients" c ON c."Id" = m."ClientId"
                 WHERE m."CampaignId" = {p0})
               """;
        var sums = $"""
            ctl AS "Ctl", {Big("SUM(one)")} AS "N", {Big("SUM(dlv)")} AS "Dlv", {Big("SUM(rep)")} AS "Rep", {Big("SUM(opt)")} AS "Opt",
            {Big("SUM(cnv)")} AS "Cnv", {Big("SUM(amt)")} AS "Amt", SUM({Float("amt")} * {Float("amt")}) AS "Sq", SUM({Float("cost")}) AS "Cost"
            """;
        string sql;
        if (pg)
        {
            // In a grouping set only its own key is grouped; every other key is NULL there, so the
            // first non-NULL key is the set's value and GROUPING() names the set.
            var dim = string.Join(" ", Keys.Select(k => $"WHEN GROUPING({k.Key}) = 0 THEN '{k.Dim}'"));
            var val = string.Join(", ", Keys.Select(k => Text(k.Key)));
            var sets = string.Join(", ", Keys.Select(k => $"({k.Key}, ctl)"));
            sql = $"""
                {rows}
                SELECT CASE {dim} ELSE '{ResultDimensions.Total}' END AS "Dim", COALESCE({val}, '') AS "Val", {sums}
                FROM base GROUP BY GROUPING SETS ((ctl), {sets})
                """;
        }
        else
        {
            string Group(string d, string key) =>
                $"SELECT '{d}' AS \"Dim\", COALESCE({Text(key)}, '') AS \"Val\", {sums} FROM base GROUP BY {(key == "''" ? "ctl" : key + ", ctl")}";
            sql = rows + "\n" + Group(ResultDimensions.Total, "''") + "\n"
                + string.Join("\n", Keys.Select(k => "UNION ALL " + Group(k.Dim, k.Key)));
        }
        // The base part is one pass over every message row of the campaign: seconds at 1.9 M, so not the default 30 s limit.
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var found = await db.Database.SqlQueryRaw<Row>(sql, campaignId).ToListAsync(ct);
        return found.Select(r => new ResultCell(r.Dim, r.Val, r.Ctl == 1, r.N, r.Dlv, r.Rep, r.Opt, r.Cnv, r.Amt, r.Sq, r.Cost)).ToList();
    }
}
