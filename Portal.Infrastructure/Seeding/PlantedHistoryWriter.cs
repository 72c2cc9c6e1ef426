using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Seeding;

/// <summary>
/// One past campaign with a planted, known effect, written set-based over a range of client ids
/// (demo history, tests, <c>bench analytics</c>). The rule is arithmetic on the client id, so a test
/// can recompute it from raw rows and the rates are exact over whole cycles of 10,000 ids:
/// every 10th client is in the control group; of the sent group, <see cref="SentPerMille"/> ‰
/// buy, of the control group <see cref="ControlPerMille"/> ‰ (by (id / 10) × 7919 mod 1000: a
/// permutation of the residues, exact over whole cycles, and spread over a small base too, where the
/// plain (id / 10) mod 1000 made every client of the first 400 or 600 ids a buyer).
/// </summary>
public sealed record PlantedCampaign(
    int CampaignId,
    long FirstClientId,
    long LastClientId,
    DateTime SentAt,
    int SentPerMille = 50,
    int ControlPerMille = 40,
    decimal Amount = 500m,
    TimeSpan? ConvertAfter = null,
    int WindowHours = 168,
    /// <summary>Every Nth sent client is undeliverable (0: none). Their purchases are not attributed: no touch.</summary>
    int UndeliverableEvery = 0,
    /// <summary>Noise that must not count: logins, purchases before the message and after the window.</summary>
    bool Noise = true,
    /// <summary>Every Nth recipient replies, every Mth opts out (0: none).</summary>
    int ReplyEvery = 0,
    int OptOutEvery = 0,
    int? ProviderId = null)
{
    public DateTime DeliveredAt => SentAt.AddMinutes(1);
    public DateTime ConvertAt => DeliveredAt + (ConvertAfter ?? TimeSpan.FromDays(1));
}

public static class PlantedHistoryWriter
{
    /// <summary>Writes the campaign's message rows, receipts' outcome, client events, replies and opt-outs.</summary>
    public static async Task WriteAsync(PortalDbContext db, PlantedCampaign p, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync(ct);
        var undeliverable = p.UndeliverableEvery > 0 ? $"WHEN c.\"Id\" % {p.UndeliverableEvery} = 1 THEN 5 " : "";
        var range = $"c.\"Id\" BETWEEN {p.FirstClientId} AND {p.LastClientId}";
        const string Control = "c.\"Id\" % 10 = 0";
        const string Buys = "((c.\"Id\" / 10) * 7919) % 1000";

        await ExecAsync(connection, $"""
            INSERT INTO "Messages" ("CampaignId", "ClientId", "Phone", "Status", "Parts", "Cost", "CreatedAt", "SubmittedAt", "DoneAt", "ProviderId", "Resubmitted", "DeliveredParts")
            SELECT {p.CampaignId}, c."Id", c."Phone",
                   CASE WHEN {Control} THEN 2 {undeliverable}ELSE 4 END,
                   CASE WHEN {Control} THEN 0 WHEN c."Id" % 4 = 0 THEN 2 ELSE 1 END,
                   CASE WHEN {Control} THEN 0 WHEN c."Id" % 4 = 0 THEN 0.70 ELSE 0.35 END,
                   @sent, CASE WHEN {Control} THEN NULL ELSE @sent END, CASE WHEN {Control} THEN NULL ELSE @done END,
                   {(p.ProviderId is int pid ? pid.ToString(System.Globalization.CultureInfo.InvariantCulture) : "NULL")}, FALSE, 0
            FROM "Clients" c WHERE {range}
            """, ct, ("@sent", p.SentAt), ("@done", p.DeliveredAt));

        string Event(string where, int type, string at, bool amount) => $"""
            INSERT INTO "ClientEvents" ("ClientId", "Type", "OccurredAt", "Amount")
            SELECT c."Id", {type}, {at}, {(amount ? "@amount" : "NULL")} FROM "Clients" c WHERE {range} AND ({where})
            """;
        await ExecAsync(connection, Event($"NOT ({Control}) AND {Buys} < {p.SentPerMille}", 1, "@at", true), ct,
            ("@at", p.ConvertAt), ("@amount", p.Amount));
        await ExecAsync(connection, Event($"{Control} AND {Buys} < {p.ControlPerMille}", 1, "@at", true), ct,
            ("@at", p.ConvertAt), ("@amount", p.Amount));
        if (p.Noise)
        {
            await ExecAsync(connection, Event("c.\"Id\" % 7 = 0", 3, "@at", false), ct, ("@at", p.ConvertAt));
            await ExecAsync(connection, Event("c.\"Id\" % 13 = 0", 1, "@before", true), ct, ("@before", p.SentAt.AddDays(-1)), ("@amount", p.Amount));
            await ExecAsync(connection, Event("c.\"Id\" % 17 = 0", 1, "@after", true), ct,
                ("@after", p.DeliveredAt.AddHours(p.WindowHours).AddHours(1)), ("@amount", p.Amount));
        }

        string Inbound(int every, int kind, string text) => $"""
            INSERT INTO "InboundMessages" ("From", "To", "Text", "ReceivedAt", "Kind", "ClientId", "CampaignId")
            SELECT c."Phone", 'PORTAL', '{text}', @at, {kind}, c."Id", {p.CampaignId}
            FROM "Clients" c WHERE {range} AND NOT ({Control}) AND c."Id" % {every} = 3
            """;
        if (p.ReplyEvery > 0) await ExecAsync(connection, Inbound(p.ReplyEvery, 1, "ok"), ct, ("@at", p.DeliveredAt.AddHours(2)));
        if (p.OptOutEvery > 0) await ExecAsync(connection, Inbound(p.OptOutEvery, 2, "STOP"), ct, ("@at", p.DeliveredAt.AddHours(3)));
        if (db.Database.IsNpgsql())
        {
            // Fresh bulk rows: without statistics the planner takes a 200,000-row campaign for a handful.
            await ExecAsync(connection, "ANALYZE \"Messages\", \"ClientEvents\", \"InboundMessages\"", ct);
        }
    }

    private static async Task ExecAsync(DbConnection connection, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 600;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        await command.ExecuteNonQueryAsync(ct);
    }
}
