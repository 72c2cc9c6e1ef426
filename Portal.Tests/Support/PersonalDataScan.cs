using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Portal.Infrastructure.Persistence;

namespace Portal.Tests.Support;

/// <summary>
/// Scans every text column of every table in the EF model (found generically, so a table added
/// later is scanned too) for values; the proof that erasure and retention leave nothing behind.
/// </summary>
public static class PersonalDataScan
{
    /// <summary>"Table.Column" for each text column holding any of <paramref name="needles"/>.</summary>
    public static async Task<IReadOnlyList<string>> FindAsync(PortalDbContext db, params string[] needles)
    {
        var hits = new List<string>();
        var columns = TextColumns(db.Model).ToList();
        Assert.True(columns.Count > 30, $"only {columns.Count} text columns found: the model walk is broken");
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync();
        }
        foreach (var (table, column) in columns)
        {
            foreach (var needle in needles)
            {
                await using DbCommand command = connection.CreateCommand();
                command.CommandText = $"SELECT COUNT(*) FROM \"{table}\" WHERE \"{column}\" LIKE '%' || @needle || '%'";
                var p = command.CreateParameter();
                p.ParameterName = "needle";
                p.Value = needle;
                command.Parameters.Add(p);
                if (Convert.ToInt64(await command.ExecuteScalarAsync()) > 0)
                {
                    hits.Add($"{table}.{column} holds '{needle}'");
                }
            }
        }
        return hits;
    }

    public static IEnumerable<(string Table, string Column)> TextColumns(IModel model) =>
        model.GetEntityTypes()
            .Where(e => e.GetTableName() is not null)
            .SelectMany(e =>
            {
                var store = StoreObjectIdentifier.Table(e.GetTableName()!, e.GetSchema());
                return e.GetProperties()
                    .Where(p => p.ClrType == typeof(string))
                    .Select(p => (Table: e.GetTableName()!, Column: p.GetColumnName(store)))
                    .Where(c => c.Column is not null)
                    .Select(c => (c.Table, c.Column!));
            })
            .Distinct();
}
