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
/// opt-out), with their replied, opted-out and converted flags and revenue: a few percent of the rows.
/// A read after new events, replies or opt-outs does not recompute it either: it adds
/// <see cref="ResponseChangesAsync"/>, the changes after the marks it was kept at.</item>
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
        RunAsync(db, Part.Base, campaignId, 0, 0, ct);

    /// <summary>Replied, opted out, converted and revenue per cell, over every responder; the other counts are 0.</summary>
    public static Task<List<ResultCell>> ResponseAsync(PortalDbContext db, int campaignId, CancellationToken ct) =>
        RunAsync(db, Part.Response, campaignId, 0, 0, ct);

    /// <summary>
    /// What changed in the responders' part after the marks: the conversion changes
    /// (<see cref="ConversionDelta"/>) after <paramref name="deltaMark"/>, and the clients whose first
    /// reply or opt-out is an inbound row after <paramref name="inboundMark"/>. Added to the cells kept
    /// at those marks it gives <see cref="ResponseAsync"/>'s cells.
    /// </summary>
    public static Task<List<ResultCell>> ResponseChangesAsync(PortalDbContext db, int campaignId, long deltaMark, long inboundMark, CancellationToken ct) =>
        RunAsync(db, Part.Changes, campaignId, deltaMark, inboundMark, ct);

    private enum Part { Base, Response, Changes }

    private static async Task<List<ResultCell>> RunAsync(PortalDbContext db, Part part, int campaignId, long deltaMark, long inboundMark, CancellationToken ct)
    {
        var pg = db.Database.IsNpgsql();
        string Hour(string x) => pg ? $"CAST(EXTRACT(HOUR FROM {x}) AS integer)" : $"CAST(strftime('%H', {x}) AS INTEGER)";
        string Year(string x) => pg ? $"CAST(EXTRACT(YEAR FROM {x}) AS integer)" : $"CAST(substr({x}, 1, 4) AS INTEGER)";
        string Float(string x) => pg ? $"CAST({x} AS double precision)" : $"CAST({x} AS REAL)";
        string Text(string x) => pg ? $"CAST({x} AS text)" : $"CAST({x} AS TEXT)";
        string Big(string x) => pg ? $"CAST({x} AS bigint)" : x;

        const string p0 = "{0}", p1 = "{1}", p2 = "{2}";
        var columns = $"""
            CASE WHEN m."Status" = 2 THEN 1 ELSE 0 END AS ctl,
            m."ProviderId" AS prov, m."Parts" AS parts,
            c."RegionCode" AS region, c."TimeZone" AS tz, c."LoyaltyTier" AS tier,
            {Year("c.\"BirthDate\"")} AS born, c."Gender" AS gender, c."Operator" AS op,
            c."TimeZone" || '|' || {Text(Hour("COALESCE(m.\"SubmittedAt\", m.\"CreatedAt\")"))} AS tzhr
            """;
        const string responders = $"""
            JOIN "Messages" m ON m."CampaignId" = {p0} AND m."ClientId" = w."ClientId"
            JOIN "Clients" c ON c."Id" = m."ClientId"
            """;
        // Replied / opted out over every responder: PostgreSQL hash-joins the campaign's distinct repliers
        // once; SQLite probes the (CampaignId, ClientId) index per row (it scanned a derived table per row).
        string Flag(int kind, string alias) => pg
            ? $"CASE WHEN {alias}.\"ClientId\" IS NULL THEN 0 ELSE 1 END"
            : $"CASE WHEN EXISTS (SELECT 1 FROM \"InboundMessages\" i WHERE i.\"CampaignId\" = m.\"CampaignId\" AND i.\"ClientId\" = m.\"ClientId\" AND i.\"Kind\" = {kind}) THEN 1 ELSE 0 END";
        string FlagJoin(string alias) => pg ? $"LEFT JOIN {alias} ON {alias}.\"ClientId\" = m.\"ClientId\"" : "";
        string Distinct(string name, int kind) =>
            $"{name} AS (SELECT DISTINCT \"ClientId\" FROM \"InboundMessages\" WHERE \"CampaignId\" = {p0} AND \"Kind\" = {kind} AND \"ClientId\" IS NOT NULL)";
        var rows = part switch
        {
            Part.Base => $"""
               WITH base AS (
                 SELECT {columns}, 1 AS one, CASE WHEN m."Status" = 4 THEN 1 ELSE 0 END AS dlv, 0 AS rep, 0 AS opt, 0 AS cnv, 0 AS amt, 0 AS sq, m."Cost" AS cost
                 FROM "Messages" m
                 JOIN "Clients" c ON c."Id" = m."ClientId"
                 WHERE m."CampaignId" = {p0})
               """,
            Part.Response => $"""
               WITH {Distinct("rep", 1)}, {Distinct("opt", 2)},
               who AS (
                 SELECT "ClientId" FROM "Conversions" WHERE "CampaignId" = {p0}
                 UNION SELECT "ClientId" FROM rep UNION SELECT "ClientId" FROM opt),
               base AS (
                 SELECT {columns}, 0 AS one, 0 AS dlv, {Flag(1, "rep")} AS rep, {Flag(2, "opt")} AS opt,
                        CASE WHEN v."ClientId" IS NULL THEN 0 ELSE 1 END AS cnv, COALESCE(v."AmountMinor", 0) AS amt,
                        {Float("COALESCE(v.\"AmountMinor\", 0)")} * {Float("COALESCE(v.\"AmountMinor\", 0)")} AS sq, 0 AS cost
                 FROM who w
                 {responders}
                 LEFT JOIN "Conversions" v ON v."CampaignId" = m."CampaignId" AND v."ClientId" = m."ClientId"
                 {FlagJoin("rep")} {FlagJoin("opt")})
               """,
            _ => $"""
               WITH d AS (
                 SELECT "ClientId", SUM("Conversions") AS cnv, SUM("AmountMinor") AS amt, SUM("SquaresMinor") AS sq
                 FROM "ConversionDeltas" WHERE "CampaignId" = {p0} AND "Id" > {p1} GROUP BY "ClientId"),
               n AS (
                 SELECT i."ClientId", MAX(CASE WHEN i."Kind" = 1 THEN 1 ELSE 0 END) AS rep, MAX(CASE WHEN i."Kind" = 2 THEN 1 ELSE 0 END) AS opt
                 FROM "InboundMessages" i
                 WHERE i."CampaignId" = {p0} AND i."Id" > {p2} AND i."Kind" IN (1, 2) AND i."ClientId" IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM "InboundMessages" j
                                   WHERE j."CampaignId" = i."CampaignId" AND j."ClientId" = i."ClientId" AND j."Kind" = i."Kind" AND j."Id" <= {p2})
                 GROUP BY i."ClientId"),
               who AS (SELECT "ClientId" FROM d UNION SELECT "ClientId" FROM n),
               base AS (
                 SELECT {columns}, 0 AS one, 0 AS dlv, COALESCE(n.rep, 0) AS rep, COALESCE(n.opt, 0) AS opt,
                        COALESCE(d.cnv, 0) AS cnv, COALESCE(d.amt, 0) AS amt, COALESCE(d.sq, 0) AS sq, 0 AS cost
                 FROM who w
                 {responders}
                 LEFT JOIN d ON d."ClientId" = w."ClientId"
                 LEFT JOIN n ON n."ClientId" = w."ClientId")
               """,
        };
        var sums = $"""
            ctl AS "Ctl", {Big("SUM(one)")} AS "N", {Big("SUM(dlv)")} AS "Dlv", {Big("SUM(rep)")} AS "Rep", {Big("SUM(opt)")} AS "Opt",
            {Big("SUM(cnv)")} AS "Cnv", {Big("SUM(amt)")} AS "Amt", SUM({Float("sq")}) AS "Sq", SUM({Float("cost")}) AS "Cost"
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
        object[] parameters = part == Part.Changes ? [campaignId, deltaMark, inboundMark] : [campaignId];
        var found = await db.Database.SqlQueryRaw<Row>(sql, parameters).ToListAsync(ct);
        return found.Select(r => new ResultCell(r.Dim, r.Val, r.Ctl == 1, r.N, r.Dlv, r.Rep, r.Opt, r.Cnv, r.Amt, r.Sq, r.Cost)).ToList();
    }
}
