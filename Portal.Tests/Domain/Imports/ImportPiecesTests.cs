using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Imports;

namespace Portal.Tests.Domain.Imports;

/// <summary>Issue 21 (mutation testing): header recognition, attribute cells, the import job's states and its row errors.</summary>
public class ImportPiecesTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    public static TheoryData<string, ClientField> Headers() => new()
    {
        { "ExternalId", ClientField.ExternalId }, { "external_id", ClientField.ExternalId }, { "externalid", ClientField.ExternalId },
        { "crm_id", ClientField.ExternalId }, { "client_id", ClientField.ExternalId }, { "id", ClientField.ExternalId }, { "ид", ClientField.ExternalId },
        { "код клиента", ClientField.ExternalId }, { "id клиента", ClientField.ExternalId },
        { "phone", ClientField.Phone }, { "mobile", ClientField.Phone }, { "msisdn", ClientField.Phone }, { "телефон", ClientField.Phone },
        { "мобильный", ClientField.Phone }, { "номер телефона", ClientField.Phone },
        { "first_name", ClientField.FirstName }, { "firstname", ClientField.FirstName }, { "name", ClientField.FirstName }, { "имя", ClientField.FirstName },
        { "middle_name", ClientField.MiddleName }, { "middlename", ClientField.MiddleName }, { "patronymic", ClientField.MiddleName }, { "отчество", ClientField.MiddleName },
        { "last_name", ClientField.LastName }, { "lastname", ClientField.LastName }, { "surname", ClientField.LastName }, { "фамилия", ClientField.LastName },
        { "gender", ClientField.Gender }, { "sex", ClientField.Gender }, { "пол", ClientField.Gender },
        { "birth_date", ClientField.BirthDate }, { "birthdate", ClientField.BirthDate }, { "birthday", ClientField.BirthDate },
        { "date_of_birth", ClientField.BirthDate }, { "дата рождения", ClientField.BirthDate }, { "др", ClientField.BirthDate },
        { "language", ClientField.Language }, { "lang", ClientField.Language }, { "язык", ClientField.Language },
        { "region", ClientField.Region }, { "region_code", ClientField.Region }, { "регион", ClientField.Region }, { "код региона", ClientField.Region },
        { "city", ClientField.City }, { "город", ClientField.City },
        { "time_zone", ClientField.TimeZone }, { "timezone", ClientField.TimeZone }, { "tz", ClientField.TimeZone }, { "часовой пояс", ClientField.TimeZone },
        { "status", ClientField.Status }, { "статус", ClientField.Status },
        { "registered_at", ClientField.RegisteredAt }, { "registration_date", ClientField.RegisteredAt }, { "registered", ClientField.RegisteredAt },
        { "дата регистрации", ClientField.RegisteredAt },
        { "loyalty_tier", ClientField.LoyaltyTier }, { "tier", ClientField.LoyaltyTier }, { "loyalty", ClientField.LoyaltyTier },
        { "уровень лояльности", ClientField.LoyaltyTier }, { "уровень", ClientField.LoyaltyTier },
        { "tariff", ClientField.Tariff }, { "product", ClientField.Tariff }, { "plan", ClientField.Tariff }, { "тариф", ClientField.Tariff }, { "продукт", ClientField.Tariff },
        { "balance", ClientField.Balance }, { "баланс", ClientField.Balance },
        { "total_spend", ClientField.TotalSpend }, { "spend", ClientField.TotalSpend }, { "ltv", ClientField.TotalSpend }, { "сумма покупок", ClientField.TotalSpend },
        { "purchase_count", ClientField.PurchaseCount }, { "purchases", ClientField.PurchaseCount }, { "orders", ClientField.PurchaseCount },
        { "число покупок", ClientField.PurchaseCount }, { "количество покупок", ClientField.PurchaseCount },
        { "last_purchase_at", ClientField.LastPurchaseAt }, { "last_purchase", ClientField.LastPurchaseAt }, { "последняя покупка", ClientField.LastPurchaseAt },
        { "last_activity_at", ClientField.LastActivityAt }, { "last_activity", ClientField.LastActivityAt }, { "последняя активность", ClientField.LastActivityAt },
        { "service_consent", ClientField.ServiceConsent }, { "согласие на сервисные", ClientField.ServiceConsent },
        { "advertising_consent", ClientField.AdvertisingConsent }, { "ad_consent", ClientField.AdvertisingConsent },
        { "marketing_consent", ClientField.AdvertisingConsent }, { "согласие на рекламу", ClientField.AdvertisingConsent },
        { "tags", ClientField.Tags }, { "теги", ClientField.Tags }, { "метки", ClientField.Tags },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void Guess_KnowsTheHeader(string header, ClientField field) => Assert.Equal(field, ClientFieldHeaders.Guess(header));

    [Fact]
    public void Guess_IgnoresCaseSpacesAndDashes_AndEveryFieldsOwnName()
    {
        Assert.Equal(ClientField.LastPurchaseAt, ClientFieldHeaders.Guess("  Last-Purchase-At "));
        Assert.Equal(ClientField.BirthDate, ClientFieldHeaders.Guess("ДАТА РОЖДЕНИЯ"));
        foreach (var field in Enum.GetValues<ClientField>())
        {
            Assert.Equal(field, ClientFieldHeaders.Guess(field.ToString().ToUpperInvariant()));
        }
        Assert.Null(ClientFieldHeaders.Guess("favourite colour"));
        Assert.Null(ClientFieldHeaders.Guess(""));
        Assert.Null(ClientFieldHeaders.Guess(null));
    }

    [Fact]
    public void AttributeCell_Text_UpTo500()
    {
        Assert.Null(AttributeValues.ParseCell(AttributeType.Text, new string('a', 500), out var value));
        Assert.Equal(new AttributeValue(new string('a', 500), null, null, null), value);
        Assert.Equal("Text attributes hold at most 500 characters.", AttributeValues.ParseCell(AttributeType.Text, new string('a', 501), out value));
        Assert.Equal(default, value);
    }

    [Theory]
    [InlineData("1 234,5", "1234.5")]
    [InlineData("1\u00A0000", "1000")]
    [InlineData("0.12345", "0.1234")]
    [InlineData("-999999999999.9999", "-999999999999.9999")]
    public void AttributeCell_Number(string raw, string expected)
    {
        Assert.Null(AttributeValues.ParseCell(AttributeType.Number, raw, out var value));
        Assert.Equal(new AttributeValue(null, decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), null, null), value);
    }

    [Theory]
    [InlineData("1000000000000")]
    [InlineData("-1000000000000")]
    [InlineData("abc")]
    public void AttributeCell_NotANumber(string raw)
    {
        Assert.Equal($"'{raw}' is not a number.", AttributeValues.ParseCell(AttributeType.Number, raw, out var value));
        Assert.Equal(default, value);
    }

    [Fact]
    public void AttributeCell_DateAndBoolean_AndAnUnknownType()
    {
        Assert.Null(AttributeValues.ParseCell(AttributeType.Date, "05.06.2025", out var value));
        Assert.Equal(new AttributeValue(null, null, new DateTime(2025, 6, 5, 0, 0, 0, DateTimeKind.Utc), null), value);
        Assert.Equal("'x' is not a date (YYYY-MM-DD, DD.MM.YYYY or ISO 8601).", AttributeValues.ParseCell(AttributeType.Date, "x", out value));
        Assert.Null(AttributeValues.ParseCell(AttributeType.Boolean, "нет", out value));
        Assert.Equal(new AttributeValue(null, null, null, false), value);
        Assert.Null(AttributeValues.ParseCell(AttributeType.Boolean, "да", out value));
        Assert.Equal(new AttributeValue(null, null, null, true), value);
        Assert.Equal("'x' is not yes/no.", AttributeValues.ParseCell(AttributeType.Boolean, "x", out value));
        Assert.Equal(default, value);
        Assert.Equal("Unsupported attribute type 9.", AttributeValues.ParseCell((AttributeType)9, "x", out value));
    }

    private static ImportJob NewJob(string name = "clients.csv") => new(name, ImportMode.ValidRowsOnly, ImportMatch.Phone, "{\"a\":1}", "admin", Now);

    [Fact]
    public void Job_New_IsPending_NameCutAt255()
    {
        var job = NewJob();
        Assert.Equal(("clients.csv", ImportMode.ValidRowsOnly, ImportMatch.Phone, "{\"a\":1}", "admin", Now, ImportStatus.Pending),
            (job.FileName, job.Mode, job.Match, job.MappingJson, job.CreatedBy, job.CreatedAt, job.Status));
        Assert.Equal(new string('f', 255), NewJob(new string('f', 256)).FileName);
        Assert.Equal(new string('f', 255), NewJob(new string('f', 255)).FileName);
    }

    [Fact]
    public void Job_StartComplete()
    {
        var job = NewJob();
        Assert.Equal("This import is Pending, not running.", Assert.Throws<DomainException>(() => job.Complete(1, 1, 0, 0, Now)).Message);
        job.Start(Now.AddMinutes(1));
        Assert.Equal((ImportStatus.Running, (DateTime?)Now.AddMinutes(1)), (job.Status, job.StartedAt));
        Assert.Equal("Only a pending import can start; this one is Running.", Assert.Throws<DomainException>(() => job.Start(Now)).Message);
        job.Complete(10, 6, 3, 1, Now.AddMinutes(2));
        Assert.Equal((10, 6, 3, 1, ImportStatus.Completed, (DateTime?)Now.AddMinutes(2)), (job.TotalRows, job.Inserted, job.Updated, job.Rejected, job.Status, job.FinishedAt));
        Assert.Equal("This import is Completed, not running.", Assert.Throws<DomainException>(() => job.Cancel(Now)).Message);
    }

    [Fact]
    public void Job_Fail_AppliesNothing_ErrorCutAt1000()
    {
        var job = NewJob();
        job.Start(Now);
        job.Fail(10, 4, new string('e', 1001), Now.AddMinutes(1));
        Assert.Equal((10, 4, 0, 0, ImportStatus.Failed, (DateTime?)Now.AddMinutes(1)), (job.TotalRows, job.Rejected, job.Inserted, job.Updated, job.Status, job.FinishedAt));
        Assert.Equal(new string('e', 1000), job.Error);
        Assert.Throws<DomainException>(() => job.Fail(1, 1, "again", Now));
        var exact = NewJob();
        exact.Start(Now);
        exact.Fail(1, 1, new string('e', 1000), Now);
        Assert.Equal(1000, exact.Error!.Length);
    }

    [Fact]
    public void Job_Cancel()
    {
        var job = NewJob();
        job.Start(Now);
        job.Cancel(Now.AddMinutes(1));
        Assert.Equal((0, 0, ImportStatus.Cancelled, (DateTime?)Now.AddMinutes(1)), (job.Inserted, job.Updated, job.Status, job.FinishedAt));
        Assert.Equal("This import is Cancelled, not running.", Assert.Throws<DomainException>(() => job.Complete(1, 1, 0, 0, Now)).Message);
    }

    [Fact]
    public void RowError_KeepsItsPlace_ReasonCutAt500()
    {
        var e = new ImportRowError(3, 17, "Phone", new string('r', 501));
        Assert.Equal((3, 17, "Phone", new string('r', 500)), (e.ImportJobId, e.Row, e.Column, e.Reason));
        Assert.Equal(500, new ImportRowError(3, 17, null, new string('r', 500)).Reason.Length);
    }
}
