using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Domain.Messages;
using Portal.Domain.Templates;
using Portal.Infrastructure.Analytics;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Bi;

/// <summary>
/// Streams a dataset's rows from one data reader: the database sends rows as they are read, and
/// each row is handed on before the next is read, so memory does not grow with the row count.
/// </summary>
public sealed class BiReader(IDbContextFactory<PortalDbContext> contexts, BiKeyStore keys, IOptions<BiOptions> options, CampaignsReport report, TimeProvider time)
{
    /// <summary>
    /// The rows of <paramref name="dataset"/>, boxed (the read API). The array yielded is reused for the next row: copy it to keep it.
    /// <paramref name="after"/>/<paramref name="limit"/> page a keyed dataset by its id.
    /// </summary>
    public async IAsyncEnumerable<object?[]> ReadAsync(BiDataset dataset, BiFilter filter, bool personal, long? after = null, int? limit = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        object?[]? values = null;
        await foreach (var row in ReadRowsAsync(dataset, filter, personal, after, limit, ct))
        {
            values ??= new object?[row.Count];
            for (var i = 0; i < values.Length; i++) values[i] = row.Value(i);
            yield return values;
        }
    }

    /// <summary>
    /// The rows of <paramref name="dataset"/> in typed slots (the export writers). The row yielded is
    /// reused for the next row. <paramref name="after"/>/<paramref name="limit"/> page a keyed dataset by its id.
    /// </summary>
    public async IAsyncEnumerable<BiRow> ReadRowsAsync(BiDataset dataset, BiFilter filter, bool personal, long? after = null, int? limit = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        // One keyed hasher per read: the HMAC key schedule is done once, not once per row.
        using var hasher = (await keys.GetAsync(ct)).Hasher();
        var context = new BiReadContext(hasher, options.Value.Currency);
        var columns = dataset.Columns(personal);
        var row = new BiRow(columns);
        if (dataset.Name == BiDatasets.Conversions)
        {
            await foreach (var conversion in ConversionsAsync(filter, ct))
            {
                for (var i = 0; i < columns.Count; i++) row.Set(i, conversion[i]);
                yield return row;
            }
            yield break;
        }

        await using var db = contexts.CreateDbContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        if (dataset.Name == BiDatasets.Messages)
        {
            await LoadEncodingsAsync(connection, context, ct);
        }
        await using var command = connection.CreateCommand();
        command.CommandText = dataset.Sql(new BiSql(command, db.Database.IsNpgsql(), filter, after, limit, personal));
        // A full export reads for a long time; the database's own statement timeout still applies.
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        var read = columns.Select(c => c.Read).ToArray();
        while (await reader.ReadAsync(ct))
        {
            for (var i = 0; i < read.Length; i++)
            {
                if (read[i] is { } custom) row.Set(i, custom(reader, i, context));
                else BiDatasets.ReadDefault(row, reader, i);
            }
            yield return row;
        }
    }

    /// <summary>Campaign texts are few: their encodings are computed once, not per message row.</summary>
    private static async Task LoadEncodingsAsync(DbConnection connection, BiReadContext context, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"Id\", \"Body\" FROM \"Campaigns\"";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var body = reader.IsDBNull(1) ? "" : reader.GetString(1);
            context.Encodings[reader.GetInt32(0)] = SmsLength.Measure(body).Alphabet == SmsAlphabet.Gsm7 ? "GSM7" : "UCS2";
        }
    }

    private async IAsyncEnumerable<object?[]> ConversionsAsync(BiFilter filter, [EnumeratorCancellation] CancellationToken ct)
    {
        var from = filter.From ?? DateTime.UnixEpoch;
        var to = filter.To ?? time.GetUtcNow().UtcDateTime.AddDays(1);
        var result = await report.GetAsync(new CampaignsReportFilter(from, to, filter.DepartmentId), filter.Departments, 30, ct);
        foreach (var c in result.Campaigns.Where(c => filter.CampaignId is null || c.Id == filter.CampaignId).OrderBy(c => c.Id))
        {
            yield return
            [
                c.Id, c.Name, c.DepartmentId, c.Purpose.ToString(), DateTime.SpecifyKind(c.StartedAt, DateTimeKind.Utc), c.Recipients, c.Delivered,
                c.Cost, c.Replies, c.OptOuts, c.Conversions, c.AbsoluteUplift, c.IncrementalConversions, c.HasControl, c.Significant,
                c.CostPerIncrementalConversion,
            ];
        }
    }
}

/// <summary>
/// The pseudonym key: <see cref="BiOptions.PseudonymKey"/> if configured, else one generated once and
/// stored encrypted (Data Protection) in <c>BiSecrets</c>, so every node and every export uses the same.
/// </summary>
public sealed class BiKeyStore(IDbContextFactory<PortalDbContext> contexts, IDataProtectionProvider protection, IOptions<BiOptions> options)
{
    private const string Name = "pseudonym-key";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ClientPseudonym? _pseudonym;

    public async Task<ClientPseudonym> GetAsync(CancellationToken ct)
    {
        if (_pseudonym is { } p) return p;
        await _gate.WaitAsync(ct);
        try
        {
            return _pseudonym ??= new ClientPseudonym(await LoadAsync(ct));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<byte[]> LoadAsync(CancellationToken ct)
    {
        if (options.Value.PseudonymKey is { Length: > 0 } configured)
        {
            return Convert.FromBase64String(configured);
        }
        var protector = protection.CreateProtector("Portal.Bi.PseudonymKey");
        await using var db = contexts.CreateDbContext();
        if (await db.BiSecrets.AsNoTracking().FirstOrDefaultAsync(s => s.Name == Name, ct) is { } stored)
        {
            return Convert.FromBase64String(protector.Unprotect(stored.ProtectedValue));
        }
        var key = RandomNumberGenerator.GetBytes(32);
        db.BiSecrets.Add(new BiSecret(Name, protector.Protect(Convert.ToBase64String(key))));
        try
        {
            await db.SaveChangesAsync(ct);
            return key;
        }
        catch (DbUpdateException)
        {
            // Another node stored its key first: use that one.
            await using var again = contexts.CreateDbContext();
            var winner = await again.BiSecrets.AsNoTracking().FirstAsync(s => s.Name == Name, ct);
            return Convert.FromBase64String(protector.Unprotect(winner.ProtectedValue));
        }
    }
}
