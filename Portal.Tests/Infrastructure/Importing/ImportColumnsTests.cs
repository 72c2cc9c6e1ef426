using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Portal.Domain.Clients;
using Portal.Domain.Imports;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Importing;

/// <summary>Issue 21, "one client column list": the import's columns come from one descriptor, which matches the model.</summary>
public class ImportColumnsTests
{
    [Fact]
    public void EveryFileField_ButTheKeyAndTags_HasOneStagedColumn()
    {
        var staged = ImportColumns.Clients.Concat(ImportColumns.Consents).Where(c => c.Field is not null).Select(c => c.Field!.Value).ToList();

        Assert.Equal(staged.Count, staged.Distinct().Count());
        var missing = Enum.GetValues<ClientField>().Except([ClientField.Phone, ClientField.Tags]).Except(staged).ToList();
        Assert.True(missing.Count == 0, "a file field the import would drop: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task EveryStagedColumn_IsAClientsColumn_AndEveryRequiredClientsColumnIsStagedOrSet(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.CreateContext();
        var table = db.Model.GetRelationalModel().FindTable(db.Model.FindEntityType(typeof(Client))!.GetTableName()!, null)!;
        var columns = table.Columns.ToDictionary(c => c.Name); // owned consents included

        var staged = ImportColumns.Clients.Concat(ImportColumns.Consents).Select(c => c.Client).ToList();
        Assert.All(staged, c => Assert.True(columns.ContainsKey(c), $"\"Clients\".\"{c}\" does not exist"));

        // A new client is one INSERT of the staged columns plus these, which the merge sets itself.
        string[] setByTheMerge = ["Id", "ServiceConsentAt", "ServiceConsentSource", "ServiceConsentEvidence",
            "AdvertisingConsentAt", "AdvertisingConsentSource", "AdvertisingConsentEvidence", "CreatedAt", "UpdatedAt"];
        var unset = columns.Values
            .Where(c => !c.IsNullable && c.DefaultValueSql is null && c.DefaultValue is null)
            .Select(c => c.Name)
            .Except(staged).Except(setByTheMerge)
            .ToList();
        Assert.True(unset.Count == 0, "a required Clients column no import fills: " + string.Join(", ", unset));
    }

    [Fact]
    public void StageTable_HasEveryColumnOnce_InLoadOrder()
    {
        var sql = ImportColumns.CreateStageSql(_ => "text");

        Assert.Equal(ImportColumns.StageColumns.Count, ImportColumns.StageColumns.Distinct().Count());
        var positions = ImportColumns.StageColumns.Select(c => sql.IndexOf($" {c} text", StringComparison.Ordinal) is var i and >= 0 ? i : sql.IndexOf($"({c} text", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
        Assert.Contains("phone text NOT NULL", sql);
        Assert.Contains("operator text NOT NULL", sql);
    }
}
