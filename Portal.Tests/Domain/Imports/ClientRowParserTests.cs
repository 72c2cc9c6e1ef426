using Portal.Domain.Clients;
using Portal.Domain.Imports;

namespace Portal.Tests.Domain.Imports;

/// <summary>
/// Issue 21 (coverage): every built-in field of a file row, the forms a CRM export writes it in,
/// and the error text a user reads for a cell that does not fit.
/// </summary>
public class ClientRowParserTests
{
    private static (ImportedClient? Client, List<RowError> Errors) Parse(ClientField?[] mapping, string[] headers, string?[] cells,
        ImportMatch match = ImportMatch.Phone)
    {
        var errors = new List<RowError>();
        var client = new ClientRowParser(mapping, headers, match).Parse(cells, errors);
        return (client, errors);
    }

    /// <summary>A phone column and one more mapped to <paramref name="field"/>, its cell holding <paramref name="raw"/>.</summary>
    private static (ImportedClient? Client, List<RowError> Errors) One(ClientField field, string raw) =>
        Parse([ClientField.Phone, field], ["phone", "cell"], ["+79161234567", raw]);

    [Fact]
    public void Parse_EveryField_InTheFormsCrmsExport()
    {
        var fields = Enum.GetValues<ClientField>();
        var cells = new Dictionary<ClientField, string>
        {
            [ClientField.ExternalId] = " crm-1 ",
            [ClientField.Phone] = "8 (916) 123-45-67",
            [ClientField.FirstName] = "Анна",
            [ClientField.MiddleName] = "Ивановна",
            [ClientField.LastName] = "Петрова",
            [ClientField.Gender] = "Ж",
            [ClientField.BirthDate] = "17.05.1990",
            [ClientField.Language] = "EN",
            [ClientField.Region] = "Tatarstan",
            [ClientField.City] = "Казань",
            [ClientField.TimeZone] = "Asia/Yekaterinburg",
            [ClientField.Status] = "inactive",
            [ClientField.RegisteredAt] = "2024-03-01T10:00:00Z",
            [ClientField.LoyaltyTier] = "золото",
            [ClientField.Tariff] = "Pro",
            [ClientField.Balance] = "1 234,50",
            [ClientField.TotalSpend] = "99.999",
            [ClientField.PurchaseCount] = "12",
            [ClientField.LastPurchaseAt] = "01.11.2026",
            [ClientField.LastActivityAt] = "2026-11-20 08:30:00",
            [ClientField.ServiceConsent] = "да",
            [ClientField.AdvertisingConsent] = "no",
            [ClientField.Tags] = "VIP; vip, new",
        };
        var (client, errors) = Parse(fields.Select(f => (ClientField?)f).ToArray(), fields.Select(f => f.ToString()).ToArray(),
            fields.Select(f => (string?)cells[f]).ToArray(), ImportMatch.ExternalId);

        Assert.Empty(errors);
        Assert.NotNull(client);
        Assert.Equal(("crm-1", "+79161234567", "MTS"), (client.ExternalId, client.Phone, client.Operator));
        Assert.Equal(("Анна", "Ивановна", "Петрова"), (client.FirstName, client.MiddleName, client.LastName));
        Assert.Equal(Gender.Female, client.Gender);
        Assert.Equal(new DateOnly(1990, 5, 17), client.BirthDate);
        Assert.Equal(("en", "TA", "Казань", "Asia/Yekaterinburg"), (client.Language, client.RegionCode, client.City, client.TimeZone));
        Assert.Equal(ClientStatus.Inactive, client.Status);
        Assert.Equal(new DateTime(2024, 3, 1, 10, 0, 0, DateTimeKind.Utc), client.RegisteredAt);
        Assert.Equal(DateTimeKind.Utc, client.RegisteredAt!.Value.Kind);
        Assert.Equal(LoyaltyTier.Gold, client.LoyaltyTier);
        Assert.Equal("Pro", client.Tariff);
        Assert.Equal((1234.50m, 100.00m), (client.Balance, client.TotalSpend));
        Assert.Equal(12, client.PurchaseCount);
        Assert.Equal(new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc), client.LastPurchaseAt);
        Assert.Equal(new DateTime(2026, 11, 20, 8, 30, 0, DateTimeKind.Utc), client.LastActivityAt);
        Assert.Equal((true, false), (client.ServiceConsent, client.AdvertisingConsent));
        Assert.Equal(["vip", "new"], client.Tags);
        Assert.Null(client.Attributes);
    }

    [Theory]
    [InlineData(ClientField.Language, "rus1", "'rus1' is not a language code (ru, en, ...).")]
    [InlineData(ClientField.Language, "r", "'r' is not a language code (ru, en, ...).")]
    [InlineData(ClientField.Language, "r1", "'r1' is not a language code (ru, en, ...).")]
    [InlineData(ClientField.TimeZone, "Mars/Olympus", "'Mars/Olympus' is not a time zone (e.g. Europe/Moscow).")]
    [InlineData(ClientField.Status, "Erased", "'Erased' is not a status (Active, Inactive, Blocked).")]
    [InlineData(ClientField.Status, "7", "'7' is not a status (Active, Inactive, Blocked).")]
    [InlineData(ClientField.Status, "gone", "'gone' is not a status (Active, Inactive, Blocked).")]
    [InlineData(ClientField.RegisteredAt, "yesterday", "'yesterday' is not a date (YYYY-MM-DD, DD.MM.YYYY or ISO 8601).")]
    [InlineData(ClientField.RegisteredAt, "2024-02-30", "'2024-02-30' is not a date (YYYY-MM-DD, DD.MM.YYYY or ISO 8601).")]
    [InlineData(ClientField.LastPurchaseAt, "2024-0a-01", "'2024-0a-01' is not a date (YYYY-MM-DD, DD.MM.YYYY or ISO 8601).")]
    [InlineData(ClientField.LastActivityAt, "31.13.2024", "'31.13.2024' is not a date (YYYY-MM-DD, DD.MM.YYYY or ISO 8601).")]
    [InlineData(ClientField.LoyaltyTier, "bronze", "'bronze' is not a loyalty tier (None, Silver, Gold, Platinum).")]
    [InlineData(ClientField.Tariff, "Pro\u0000", "Contains a control character (U+0000).")]
    [InlineData(ClientField.Balance, "ten", "'ten' is not an amount.")]
    [InlineData(ClientField.Balance, "1000000000000", "'1000000000000' is not an amount.")]
    [InlineData(ClientField.TotalSpend, "1,2,3", "'1,2,3' is not an amount.")]
    [InlineData(ClientField.PurchaseCount, "-1", "'-1' is not a whole number.")]
    [InlineData(ClientField.PurchaseCount, "1.5", "'1.5' is not a whole number.")]
    [InlineData(ClientField.ServiceConsent, "maybe", "'maybe' is not yes/no.")]
    [InlineData(ClientField.AdvertisingConsent, "2", "'2' is not yes/no.")]
    [InlineData(ClientField.Gender, "x", "'x' is not a gender (M/F, м/ж).")]
    [InlineData(ClientField.BirthDate, "1899-12-31", "'1899-12-31' is not a birth date (YYYY-MM-DD or DD.MM.YYYY).")]
    [InlineData(ClientField.Region, "Atlantis", "'Atlantis' is not a known region.")]
    public void Parse_ACellThatDoesNotFit_RejectsTheRow_NamingItsColumn(ClientField field, string raw, string reason)
    {
        var (client, errors) = One(field, raw);
        Assert.Null(client);
        Assert.Equal([new RowError("cell", reason)], errors);
    }

    [Theory]
    [InlineData("u", Gender.Unknown)]
    [InlineData("-", Gender.Unknown)]
    [InlineData("0", Gender.Unknown)]
    [InlineData("MALE", Gender.Male)]
    [InlineData("муж", Gender.Male)]
    [InlineData("2", Gender.Female)]
    public void Parse_Gender_AcceptsLettersWordsAndDigits(string raw, Gender expected) =>
        Assert.Equal(expected, One(ClientField.Gender, raw).Client!.Gender);

    [Theory]
    [InlineData("none", LoyaltyTier.None)]
    [InlineData("нет", LoyaltyTier.None)]
    [InlineData("0", LoyaltyTier.None)]
    [InlineData("Silver", LoyaltyTier.Silver)]
    [InlineData("серебряный", LoyaltyTier.Silver)]
    [InlineData("1", LoyaltyTier.Silver)]
    [InlineData("GOLD", LoyaltyTier.Gold)]
    [InlineData("2", LoyaltyTier.Gold)]
    [InlineData("platinum", LoyaltyTier.Platinum)]
    [InlineData("платина", LoyaltyTier.Platinum)]
    [InlineData("платиновый", LoyaltyTier.Platinum)]
    [InlineData("3", LoyaltyTier.Platinum)]
    public void Parse_LoyaltyTier_InEnglishRussianOrAsANumber(string raw, LoyaltyTier expected) =>
        Assert.Equal(expected, One(ClientField.LoyaltyTier, raw).Client!.LoyaltyTier);

    [Theory]
    [InlineData("Blocked", ClientStatus.Blocked)]
    [InlineData("active", ClientStatus.Active)]
    [InlineData("2", ClientStatus.Inactive)]
    public void Parse_Status_ByNameOrNumber_ButNeverErased(string raw, ClientStatus expected) =>
        Assert.Equal(expected, One(ClientField.Status, raw).Client!.Status);

    [Theory]
    [InlineData("-12.345", -12.34)]
    [InlineData("1\u00A0000", 1000)]
    [InlineData("0,5", 0.5)]
    public void Parse_Money_WithSpacesCommasAndSign_RoundedToCents(string raw, double expected) =>
        Assert.Equal((decimal)expected, One(ClientField.Balance, raw).Client!.Balance);

    [Fact]
    public void Parse_AnUnknownField_IsReportedAsUnsupported()
    {
        var (client, errors) = One((ClientField)99, "x");
        Assert.Null(client);
        Assert.Equal([new RowError("cell", "Unsupported field 99.")], errors);
    }

    [Fact]
    public void Parse_WithoutAPhoneColumn_ReportsTheEmptyPhone_WithoutAColumn()
    {
        var (client, errors) = Parse([ClientField.FirstName], ["name"], ["Анна"]);
        Assert.Null(client);
        Assert.Equal([new RowError(null, "The phone number is empty.")], errors);
    }

    [Fact]
    public void Parse_MatchByExternalId_WithoutIt_NamesTheIdColumn()
    {
        var (client, errors) = Parse([ClientField.ExternalId, ClientField.Phone], ["crm_id", "phone"], ["  ", "+79161234567"], ImportMatch.ExternalId);
        Assert.Null(client);
        Assert.Equal([new RowError("crm_id", "The external id is empty: rows are matched by it.")], errors);
    }

    [Fact]
    public void Parse_ColumnsPastTheHeaders_AreNamedByNumber_AndMissingCellsAreEmpty()
    {
        var (client, errors) = Parse([ClientField.Phone, ClientField.Language, ClientField.City], ["phone"], ["+79161234567", "xx1"]);
        Assert.Null(client);
        Assert.Equal([new RowError("#2", "'xx1' is not a language code (ru, en, ...).")], errors);
    }

    [Fact]
    public void Parse_ARegionWithoutATimeZone_TakesTheRegionsZone()
    {
        var client = One(ClientField.Region, "MOW").Client!;
        Assert.Equal(("MOW", "Europe/Moscow"), (client.RegionCode, client.TimeZone));
        Assert.Equal("SPE", One(ClientField.Region, "санкт-петербург").Client!.RegionCode);
    }

    [Theory]
    [InlineData("2026-11-20T08:30:00", 8)]
    [InlineData("2026-11-20T08:30:00.123+03:00", 5)]
    [InlineData("20.11.2026 08:30", 8)]
    [InlineData("20.11.2026 08:30:15", 8)]
    [InlineData("20/11/2026", 0)]
    [InlineData("5.1.2026", 0)]
    public void ParseDate_IsoAndRussianForms_InUtc(string raw, int hour)
    {
        var parsed = ClientRowParser.ParseDate(raw);
        Assert.NotNull(parsed);
        Assert.Equal(DateTimeKind.Utc, parsed.Value.Kind);
        Assert.Equal(hour, parsed.Value.Hour);
    }

    [Fact]
    public void Maps_TellsWhetherAFieldHasAColumn()
    {
        var parser = new ClientRowParser([ClientField.Phone, null], ["phone", "x"], ImportMatch.Phone);
        Assert.True(parser.Maps(ClientField.Phone));
        Assert.False(parser.Maps(ClientField.Tags));
    }
}
