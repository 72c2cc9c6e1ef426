using Portal.Domain.Clients;
using Portal.Domain.Imports;

namespace Portal.Tests.Domain.Imports;

/// <summary>Issue 21 (mutation testing): one file row's cells to client values, each field's rule and error text.</summary>
public class ClientRowParserMutantTests
{
    private const string Phone = "+79161234567";

    private static ClientRowParser Parser(ImportMatch match, params ClientField?[] fields) =>
        new(fields, fields.Select((f, i) => f?.ToString() ?? "col" + i).ToList(), match);

    /// <summary>Parses a row of Phone + <paramref name="field"/>; the field's value, or its error.</summary>
    private static (ImportedClient? Client, List<RowError> Errors) One(ClientField field, string cell)
    {
        var errors = new List<RowError>();
        var client = Parser(ImportMatch.Phone, ClientField.Phone, field).Parse([Phone, cell], errors);
        return (client, errors);
    }

    private static ImportedClient Ok(ClientField field, string cell)
    {
        var (client, errors) = One(field, cell);
        Assert.Empty(errors);
        return client!;
    }

    private static string Error(ClientField field, string cell)
    {
        var (client, errors) = One(field, cell);
        Assert.Null(client);
        var error = Assert.Single(errors);
        Assert.Equal(field.ToString(), error.Column);
        return error.Reason;
    }

    [Fact]
    public void AFullRow_FillsEveryField()
    {
        ClientField[] fields = Enum.GetValues<ClientField>();
        string[] cells =
        [
            " CRM-1 ", Phone, "Анна", "Ивановна", "Петрова", "ж", "1990-05-17", "RU", "Udmurtia", "Ижевск", "Europe/Samara", "inactive",
            "2020-01-02", "золото", "Premium", "1 234,50", "99.999", "12", "17.03.2025", "2025-03-18T10:20:30Z", "да", "no", "VIP; Promo,vip",
        ];
        var errors = new List<RowError>();
        var c = new ClientRowParser(fields.Cast<ClientField?>().ToList(), fields.Select(f => f.ToString()).ToList(), ImportMatch.ExternalId).Parse(cells, errors);
        Assert.Empty(errors);
        Assert.NotNull(c);
        Assert.Equal(("CRM-1", Phone, "MTS", "Анна", "Ивановна", "Петрова"), (c.ExternalId, c.Phone, c.Operator, c.FirstName, c.MiddleName, c.LastName));
        Assert.Equal((Gender.Female, new DateOnly(1990, 5, 17), "ru", "UD", "Ижевск", "Europe/Samara"), (c.Gender, c.BirthDate, c.Language, c.RegionCode, c.City, c.TimeZone));
        Assert.Equal((ClientStatus.Inactive, new DateTime(2020, 1, 2, 0, 0, 0, DateTimeKind.Utc), LoyaltyTier.Gold, "Premium"), (c.Status, c.RegisteredAt, c.LoyaltyTier, c.Tariff));
        Assert.Equal((1234.50m, 100.00m, 12), (c.Balance, c.TotalSpend, c.PurchaseCount));
        Assert.Equal((new DateTime(2025, 3, 17, 0, 0, 0, DateTimeKind.Utc), new DateTime(2025, 3, 18, 10, 20, 30, DateTimeKind.Utc)), (c.LastPurchaseAt, c.LastActivityAt));
        Assert.Equal(DateTimeKind.Utc, c.LastActivityAt!.Value.Kind);
        Assert.Equal((true, false), (c.ServiceConsent, c.AdvertisingConsent));
        Assert.Equal(["vip", "promo"], c.Tags);
        Assert.Null(c.Attributes);
    }

    [Fact]
    public void Maps_TellsWhichFieldsTheFileHas()
    {
        var parser = Parser(ImportMatch.Phone, ClientField.Phone, null, ClientField.City);
        Assert.True(parser.Maps(ClientField.City));
        Assert.False(parser.Maps(ClientField.Tariff));
    }

    [Fact]
    public void Phone_Missing_Bad_OrUnmapped()
    {
        var errors = new List<RowError>();
        Assert.Null(Parser(ImportMatch.Phone, ClientField.Phone, ClientField.City).Parse(["  ", "Ижевск"], errors));
        Assert.Equal([new RowError("Phone", "The phone number is empty.")], errors);

        errors.Clear();
        Assert.Null(Parser(ImportMatch.Phone, ClientField.City).Parse(["Ижевск"], errors));
        Assert.Equal([new RowError(null, "The phone number is empty.")], errors);

        errors.Clear();
        Assert.False(PhoneNumber.TryParse("12", out _, out var why));
        Assert.Null(Parser(ImportMatch.Phone, ClientField.Phone).Parse(["12"], errors));
        Assert.Equal([new RowError("Phone", why!)], errors);

        // Cells past the end of a short row count as empty; headers past the end are named by position.
        errors.Clear();
        var parser = new ClientRowParser([ClientField.City, ClientField.Phone], ["City"], ImportMatch.Phone);
        Assert.Null(parser.Parse(["Ижевск", "12"], errors));
        // The phone column has no header here, so its error is not recognised as the phone's and "empty" is added too.
        Assert.Equal([new RowError("#2", why!), new RowError(null, "The phone number is empty.")], errors);
        errors.Clear();
        Assert.Null(parser.Parse(["Ижевск"], errors));
        Assert.Equal([new RowError(null, "The phone number is empty.")], errors);
    }

    [Fact]
    public void ExternalId_IsRequired_OnlyWhenRowsAreMatchedByIt()
    {
        var errors = new List<RowError>();
        Assert.Null(Parser(ImportMatch.ExternalId, ClientField.ExternalId, ClientField.Phone).Parse(["", Phone], errors));
        Assert.Equal([new RowError("ExternalId", "The external id is empty: rows are matched by it.")], errors);
        errors.Clear();
        Assert.NotNull(Parser(ImportMatch.Phone, ClientField.ExternalId, ClientField.Phone).Parse(["", Phone], errors));
        Assert.Empty(errors);
        Assert.Equal(new string('x', 64), Ok(ClientField.ExternalId, new string('x', 64)).ExternalId);
        Assert.Equal("Longer than 64 characters.", Error(ClientField.ExternalId, new string('x', 65)));
    }

    [Fact]
    public void ErrorsAreAddedToTheList_AfterEarlierRows()
    {
        var errors = new List<RowError> { new("x", "an earlier row") };
        Assert.NotNull(Parser(ImportMatch.Phone, ClientField.Phone).Parse([Phone], errors));
        Assert.Single(errors);
        Assert.Null(Parser(ImportMatch.Phone, ClientField.Phone, ClientField.Gender).Parse([Phone, "x"], errors));
        Assert.Equal(2, errors.Count);
    }

    [Theory]
    [InlineData(ClientField.FirstName, 100)]
    [InlineData(ClientField.MiddleName, 100)]
    [InlineData(ClientField.LastName, 100)]
    [InlineData(ClientField.City, 100)]
    [InlineData(ClientField.Tariff, 100)]
    public void TextFields_Limits(ClientField field, int max)
    {
        var c = Ok(field, new string('я', max));
        Assert.Equal(new string('я', max), field switch
        {
            ClientField.FirstName => c.FirstName,
            ClientField.MiddleName => c.MiddleName,
            ClientField.LastName => c.LastName,
            ClientField.City => c.City,
            _ => c.Tariff,
        });
        Assert.Equal($"Longer than {max} characters.", Error(field, new string('я', max + 1)));
        Assert.Equal("Contains a control character (U+0000).", Error(field, "a\0b"));
    }

    [Theory]
    [InlineData("m", Gender.Male)]
    [InlineData("Male", Gender.Male)]
    [InlineData("М", Gender.Male)]
    [InlineData("муж", Gender.Male)]
    [InlineData("мужской", Gender.Male)]
    [InlineData("1", Gender.Male)]
    [InlineData("F", Gender.Female)]
    [InlineData("female", Gender.Female)]
    [InlineData("ж", Gender.Female)]
    [InlineData("Жен", Gender.Female)]
    [InlineData("женский", Gender.Female)]
    [InlineData("2", Gender.Female)]
    [InlineData("u", Gender.Unknown)]
    [InlineData("unknown", Gender.Unknown)]
    [InlineData("0", Gender.Unknown)]
    [InlineData("-", Gender.Unknown)]
    public void Gender_Words(string cell, Gender expected) => Assert.Equal(expected, Ok(ClientField.Gender, cell).Gender);

    [Fact]
    public void Gender_Unknown_Word() => Assert.Equal("'x' is not a gender (M/F, м/ж).", Error(ClientField.Gender, "x"));

    [Theory]
    [InlineData("none", LoyaltyTier.None)]
    [InlineData("Нет", LoyaltyTier.None)]
    [InlineData("0", LoyaltyTier.None)]
    [InlineData("silver", LoyaltyTier.Silver)]
    [InlineData("серебро", LoyaltyTier.Silver)]
    [InlineData("серебряный", LoyaltyTier.Silver)]
    [InlineData("1", LoyaltyTier.Silver)]
    [InlineData("GOLD", LoyaltyTier.Gold)]
    [InlineData("золото", LoyaltyTier.Gold)]
    [InlineData("золотой", LoyaltyTier.Gold)]
    [InlineData("2", LoyaltyTier.Gold)]
    [InlineData("platinum", LoyaltyTier.Platinum)]
    [InlineData("платина", LoyaltyTier.Platinum)]
    [InlineData("платиновый", LoyaltyTier.Platinum)]
    [InlineData("3", LoyaltyTier.Platinum)]
    public void Tier_Words(string cell, LoyaltyTier expected) => Assert.Equal(expected, Ok(ClientField.LoyaltyTier, cell).LoyaltyTier);

    [Fact]
    public void Tier_Unknown_Word() => Assert.Equal("'bronze' is not a loyalty tier (None, Silver, Gold, Platinum).", Error(ClientField.LoyaltyTier, "bronze"));

    [Theory]
    [InlineData("1", true)]
    [InlineData("YES", true)]
    [InlineData("y", true)]
    [InlineData("true", true)]
    [InlineData("да", true)]
    [InlineData("Д", true)]
    [InlineData("+", true)]
    [InlineData("0", false)]
    [InlineData("no", false)]
    [InlineData("n", false)]
    [InlineData("False", false)]
    [InlineData("нет", false)]
    [InlineData("н", false)]
    [InlineData("-", false)]
    public void Consents_YesNo(string cell, bool expected)
    {
        Assert.Equal(expected, ClientRowParser.ParseBool(cell));
        Assert.Equal(expected, Ok(ClientField.ServiceConsent, cell).ServiceConsent);
        Assert.Equal(expected, Ok(ClientField.AdvertisingConsent, cell).AdvertisingConsent);
    }

    [Fact]
    public void Consents_Refuse_OtherWords()
    {
        Assert.Null(ClientRowParser.ParseBool("maybe"));
        Assert.Equal("'maybe' is not yes/no.", Error(ClientField.ServiceConsent, "maybe"));
        Assert.Equal("'ok' is not yes/no.", Error(ClientField.AdvertisingConsent, "ok"));
    }

    [Fact]
    public void BirthDate_From1900_NotInTheFuture()
    {
        Assert.Equal(new DateOnly(1900, 1, 1), Ok(ClientField.BirthDate, "1900-01-01").BirthDate);
        Assert.Equal(new DateOnly(1985, 12, 31), Ok(ClientField.BirthDate, "31.12.1985").BirthDate);
        Assert.Equal("'1899-12-31' is not a birth date (YYYY-MM-DD or DD.MM.YYYY).", Error(ClientField.BirthDate, "1899-12-31"));
        Assert.Equal("'2999-01-01' is not a birth date (YYYY-MM-DD or DD.MM.YYYY).", Error(ClientField.BirthDate, "2999-01-01"));
        Assert.Equal("'soon' is not a birth date (YYYY-MM-DD or DD.MM.YYYY).", Error(ClientField.BirthDate, "soon"));
        var today = DateTime.UtcNow.Date;
        Assert.Equal(DateOnly.FromDateTime(today), Ok(ClientField.BirthDate, today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).BirthDate);
    }

    [Theory]
    [InlineData("ru", "ru")]
    [InlineData("EN", "en")]
    [InlineData("Tat", "tat")]
    public void Language_TwoOrThreeLetters(string cell, string expected) => Assert.Equal(expected, Ok(ClientField.Language, cell).Language);

    [Theory]
    [InlineData("r")]
    [InlineData("russ")]
    [InlineData("r1")]
    [InlineData("ру")]
    public void Language_Refused(string cell) => Assert.Equal($"'{cell}' is not a language code (ru, en, ...).", Error(ClientField.Language, cell));

    [Fact]
    public void Region_ByCode_RussianOrEnglishName_GivesTheTimeZone()
    {
        Assert.Equal(("KAM", "Asia/Kamchatka"), (Ok(ClientField.Region, "kam").RegionCode, Ok(ClientField.Region, "kam").TimeZone));
        Assert.Equal("MAG", Ok(ClientField.Region, "магаданская область").RegionCode);
        Assert.Equal("SAK", Ok(ClientField.Region, "SAKHALIN OBLAST").RegionCode);
        Assert.Equal("'Atlantis' is not a known region.", Error(ClientField.Region, "Atlantis"));
        // A time zone of its own wins over the region's.
        var errors = new List<RowError>();
        var c = Parser(ImportMatch.Phone, ClientField.Phone, ClientField.Region, ClientField.TimeZone).Parse([Phone, "KAM", "Europe/Moscow"], errors)!;
        Assert.Equal(("KAM", "Europe/Moscow"), (c.RegionCode, c.TimeZone));
        Assert.Null(Ok(ClientField.City, "Ижевск").TimeZone);
    }

    [Fact]
    public void TimeZone_MustExist() =>
        Assert.Equal("'Mars/Olympus' is not a time zone (e.g. Europe/Moscow).", Error(ClientField.TimeZone, "Mars/Olympus"));

    [Theory]
    [InlineData("Active", ClientStatus.Active)]
    [InlineData("blocked", ClientStatus.Blocked)]
    [InlineData("INACTIVE", ClientStatus.Inactive)]
    public void Status_Words(string cell, ClientStatus expected) => Assert.Equal(expected, Ok(ClientField.Status, cell).Status);

    [Theory]
    [InlineData("Erased")]
    [InlineData("9")]
    [InlineData("gone")]
    public void Status_Refused(string cell) => Assert.Equal($"'{cell}' is not a status (Active, Inactive, Blocked).", Error(ClientField.Status, cell));

    [Theory]
    [InlineData("1 000,5", "1000.50")]
    [InlineData("1\u00A0000", "1000")]
    [InlineData("-12.345", "-12.34")]
    [InlineData("1,015", "1.02")]
    [InlineData("7", "7")]
    [InlineData("999999999999.99", "999999999999.99")]
    [InlineData("-999999999999.99", "-999999999999.99")]
    public void Money(string cell, string expected)
    {
        var amount = decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(amount, Ok(ClientField.Balance, cell).Balance);
        Assert.Equal(amount, Ok(ClientField.TotalSpend, cell).TotalSpend);
    }

    [Theory]
    [InlineData("1000000000000")]
    [InlineData("-1000000000000")]
    [InlineData("ten")]
    public void Money_Refused(string cell)
    {
        Assert.Equal($"'{cell}' is not an amount.", Error(ClientField.Balance, cell));
        Assert.Equal($"'{cell}' is not an amount.", Error(ClientField.TotalSpend, cell));
    }

    [Fact]
    public void PurchaseCount_AWholeNumber_ZeroOrMore()
    {
        Assert.Equal(0, Ok(ClientField.PurchaseCount, "0").PurchaseCount);
        Assert.Equal(42, Ok(ClientField.PurchaseCount, "42").PurchaseCount);
        Assert.Equal("'-1' is not a whole number.", Error(ClientField.PurchaseCount, "-1"));
        Assert.Equal("'1.5' is not a whole number.", Error(ClientField.PurchaseCount, "1.5"));
    }

    [Theory]
    [InlineData(ClientField.RegisteredAt)]
    [InlineData(ClientField.LastPurchaseAt)]
    [InlineData(ClientField.LastActivityAt)]
    public void Timestamps(ClientField field)
    {
        var c = Ok(field, "2025-03-18 10:20:30");
        var expected = new DateTime(2025, 3, 18, 10, 20, 30, DateTimeKind.Utc);
        Assert.Equal(expected, field switch { ClientField.RegisteredAt => c.RegisteredAt, ClientField.LastPurchaseAt => c.LastPurchaseAt, _ => c.LastActivityAt });
        Assert.Equal("'yesterday' is not a date (YYYY-MM-DD, DD.MM.YYYY or ISO 8601).", Error(field, "yesterday"));
    }

    [Fact]
    public void Tags_SplitLowered_LongOnesDropped()
    {
        Assert.Equal(["a", "b", new string('t', 64)], Ok(ClientField.Tags, $"A;b , a;;{new string('T', 64)};{new string('t', 65)}").Tags);
    }

    [Theory]
    [InlineData("2024-02-29", 2024, 2, 29)]
    [InlineData("29.02.2024", 2024, 2, 29)]
    [InlineData("0001-01-01", 1, 1, 1)]
    [InlineData("9999-12-31", 9999, 12, 31)]
    [InlineData("1.2.2024", 2024, 2, 1)]
    [InlineData("01/02/2024", 2024, 2, 1)]
    [InlineData("2024-02-01T10:00:00", 2024, 2, 1, 10)]
    [InlineData("2024-02-01T13:00:00+03:00", 2024, 2, 1, 10)]
    [InlineData("01.02.2024 10:00", 2024, 2, 1, 10)]
    [InlineData("01.02.2024 10:00:00", 2024, 2, 1, 10)]
    public void ParseDate_Shapes(string raw, int y, int m, int d, int hour = 0)
    {
        var date = ClientRowParser.ParseDate(raw);
        Assert.Equal(new DateTime(y, m, d, hour, 0, 0, DateTimeKind.Utc), date);
        Assert.Equal(DateTimeKind.Utc, date!.Value.Kind);
    }

    [Theory]
    [InlineData("2023-02-29")]
    [InlineData("2024-13-01")]
    [InlineData("2024-00-10")]
    [InlineData("2024-01-00")]
    [InlineData("2024-04-31")]
    [InlineData("0000-01-01")]
    [InlineData("31.04.2024")]
    [InlineData("2024-1a-01")]
    [InlineData("2024/01/01")]
    [InlineData("20240101")]
    [InlineData("2024-01-011")]
    [InlineData("")]
    public void ParseDate_Refuses(string raw) => Assert.Null(ClientRowParser.ParseDate(raw));

    [Fact]
    public void AttributeColumns_AreTypedChecked_AndNamedByHeaderOrPosition()
    {
        var tier = new AttributeDefinition("contract", AttributeType.Text, "Contract");
        var score = new AttributeDefinition("score", AttributeType.Number, "Score");
        typeof(AttributeDefinition).GetProperty(nameof(AttributeDefinition.Id))!.SetValue(tier, 4);
        typeof(AttributeDefinition).GetProperty(nameof(AttributeDefinition.Id))!.SetValue(score, 5);
        var parser = new ClientRowParser([ClientField.Phone, null, null, null], ["Phone", "contract", "score"], ImportMatch.Phone)
        {
            AttributeColumns = new Dictionary<int, AttributeDefinition> { [1] = tier, [2] = score, [3] = score },
        };
        var errors = new List<RowError>();
        var c = parser.Parse([Phone, " B2B ", "12,5", null], errors)!;
        Assert.Empty(errors);
        Assert.Equal(new AttributeValue("B2B", null, null, null), c.Attributes![4]);
        Assert.Equal(new AttributeValue(null, 12.5m, null, null), c.Attributes[5]);

        Assert.Null(parser.Parse([Phone, " ", "", "many"], errors));
        Assert.Equal([new RowError("#4", "'many' is not a number.")], errors);
        errors.Clear();
        Assert.Null(parser.Parse([Phone, "x", "many"], errors));
        Assert.Equal([new RowError("score", "'many' is not a number.")], errors);
        errors.Clear();
        Assert.Null(parser.Parse([Phone, "", "  "], errors)!.Attributes);
        // A column mapped to nothing is skipped.
        Assert.Null(new ClientRowParser([ClientField.Phone, null], ["Phone", "x"], ImportMatch.Phone).Parse([Phone, "junk"], errors)!.Attributes);
        Assert.Empty(errors);
    }
}
