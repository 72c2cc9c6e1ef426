using Portal.Domain.Clients;
using Portal.Domain.Common;

namespace Portal.Tests.Domain.Clients;

/// <summary>Issue 21 (mutation testing): the client's state changes, their guards and error texts, and its small companions.</summary>
public class ClientEdgeTests
{
    private static readonly DateTime Registered = new(2026, 1, 10, 8, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);
    private const string Erased = "This client's personal data was erased; the record can no longer change.";

    private static Client NewClient() => new(PhoneNumber.Parse("+79161234567"), "Анна", "Петрова", Registered);

    private static Client Saved(long id)
    {
        var client = NewClient();
        // As EF Core does after saving.
        typeof(Client).GetProperty(nameof(Client.Id))!.SetValue(client, id);
        return client;
    }

    [Fact]
    public void NewClient_IsActive_WithoutConsents_DatedAtRegistration()
    {
        var client = NewClient();
        Assert.Equal(("+79161234567", "MTS", "Анна", "Петрова"), (client.Phone, client.Operator, client.FirstName, client.LastName));
        Assert.Equal((Registered, Registered, Registered), (client.RegisteredAt, client.CreatedAt, client.UpdatedAt));
        Assert.Equal(ClientStatus.Active, client.Status);
        Assert.Equal(("ru", "Europe/Moscow"), (client.Language, client.TimeZone));
        Assert.Same(Consent.None, client.ServiceConsent);
        Assert.Same(Consent.None, client.AdvertisingConsent);
        Assert.Equal(new Consent(false, null, null, null), Consent.None);
        Assert.Null(client.OptedOutAt);
        Assert.Null(client.SandboxOwnerId);
        Assert.Equal(PhoneNumber.Parse("+79161234567"), client.PhoneNumber);
    }

    [Fact]
    public void ChangePhone_MovesTheOperatorWithIt()
    {
        var client = NewClient();
        client.ChangePhone(PhoneNumber.Parse("+79031234567"));
        Assert.Equal(("+79031234567", "Beeline"), (client.Phone, client.Operator));
        client.ChangePhone(PhoneNumber.Parse("+79401234567"));
        Assert.Equal(MobileOperators.Other, client.Operator);
    }

    [Fact]
    public void PlaceInSandbox_NewClient_BelongsToTheTrainee_ASavedOneIsRefused()
    {
        var client = NewClient();
        client.PlaceInSandbox("trainee-1");
        Assert.Equal("trainee-1", client.SandboxOwnerId);
        var error = Assert.Throws<DomainException>(() => Saved(3).PlaceInSandbox("trainee-1"));
        Assert.Equal("Only a new row can be placed in a sandbox.", error.Message);
    }

    [Fact]
    public void SetConsent_Service_ChangesOnlyService_AndReturnsTheRecord()
    {
        var client = Saved(42);
        var record = client.SetConsent(ConsentPurpose.Service, true, Now, "crm", "contract 7");
        Assert.Equal(new Consent(true, Now, "crm", "contract 7"), client.ServiceConsent);
        Assert.Same(Consent.None, client.AdvertisingConsent);
        Assert.Equal((42L, ConsentPurpose.Service, true, Now, "crm", "contract 7"), (record.ClientId, record.Purpose, record.Granted, record.At, record.Source, record.Evidence));
        Assert.Equal(0, record.Id);
        Assert.Equal(Now, client.UpdatedAt);
    }

    [Fact]
    public void SetConsent_Advertising_ChangesOnlyAdvertising()
    {
        var client = NewClient();
        var record = client.SetConsent(ConsentPurpose.Advertising, false, Now, "web-form", null);
        Assert.Equal(new Consent(false, Now, "web-form", null), client.AdvertisingConsent);
        Assert.Same(Consent.None, client.ServiceConsent);
        Assert.Equal((ConsentPurpose.Advertising, false, (string?)null), (record.Purpose, record.Granted, record.Evidence));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \t")]
    public void SetConsent_WithoutSource_IsRefusedInWords(string? source)
    {
        var client = NewClient();
        var error = Assert.Throws<DomainException>(() => client.SetConsent(ConsentPurpose.Advertising, true, Now, source!, null));
        Assert.Equal("A consent change needs its source (e.g. 'crm', 'sms-reply', 'web-form').", error.Message);
        Assert.Same(Consent.None, client.AdvertisingConsent);
        Assert.Equal(Registered, client.UpdatedAt);
    }

    [Fact]
    public void SetConsent_UnknownPurpose_IsRefusedInWords()
    {
        var error = Assert.Throws<DomainException>(() => NewClient().SetConsent((ConsentPurpose)7, true, Now, "crm", null));
        Assert.Equal("Unknown consent purpose {0}.", error.Text);
        Assert.Equal("Unknown consent purpose 7.", error.Message);
    }

    [Fact]
    public void OptOut_KeepsTheFirstDateAndReason_TrimmedOrUnspecified()
    {
        var client = NewClient();
        client.OptOut(Now, "  STOP  ");
        Assert.Equal((Now, "STOP", Now), (client.OptedOutAt, client.OptOutReason, client.UpdatedAt));
        client.OptOut(Now.AddDays(1), "call centre");
        Assert.Equal((Now, "STOP", Now), (client.OptedOutAt, client.OptOutReason, client.UpdatedAt));

        var other = NewClient();
        other.OptOut(Now, "  ");
        Assert.Equal("unspecified", other.OptOutReason);
    }

    [Fact]
    public void OptIn_ClearsTheOptOut()
    {
        var client = NewClient();
        client.OptOut(Now, "STOP");
        client.OptIn(Now.AddHours(1));
        Assert.Null(client.OptedOutAt);
        Assert.Null(client.OptOutReason);
        Assert.Equal(Now.AddHours(1), client.UpdatedAt);
        Assert.True(client.MayReceive(ConsentPurpose.Service));
    }

    [Fact]
    public void Status_Changes_AreDatedAndDecideWhoReceives()
    {
        var client = NewClient();
        client.SetConsent(ConsentPurpose.Advertising, true, Now, "crm", null);
        Assert.True(client.MayReceive(ConsentPurpose.Advertising));

        client.Deactivate(Now.AddDays(1));
        Assert.Equal((ClientStatus.Inactive, Now.AddDays(1)), (client.Status, client.UpdatedAt));
        Assert.False(client.MayReceive(ConsentPurpose.Service));
        Assert.False(client.MayReceive(ConsentPurpose.Advertising));

        client.Block(Now.AddDays(2));
        Assert.Equal((ClientStatus.Blocked, Now.AddDays(2)), (client.Status, client.UpdatedAt));
        Assert.False(client.MayReceive(ConsentPurpose.Service));

        client.Activate(Now.AddDays(3));
        Assert.Equal((ClientStatus.Active, Now.AddDays(3)), (client.Status, client.UpdatedAt));
        Assert.True(client.MayReceive(ConsentPurpose.Service));
        Assert.True(client.MayReceive(ConsentPurpose.Advertising));
    }

    [Fact]
    public void Receives_IsTheSameRuleAsMayReceive()
    {
        var service = Client.Receives(ConsentPurpose.Service).Compile();
        var advertising = Client.Receives(ConsentPurpose.Advertising).Compile();
        var clients = new List<Client> { NewClient(), NewClient(), NewClient(), NewClient() };
        clients[1].SetConsent(ConsentPurpose.Advertising, true, Now, "crm", null);
        clients[2].SetConsent(ConsentPurpose.Advertising, true, Now, "crm", null);
        clients[2].OptOut(Now, "STOP");
        clients[3].SetConsent(ConsentPurpose.Advertising, true, Now, "crm", null);
        clients[3].Block(Now);
        Assert.Equal([true, true, false, false], clients.Select(service));
        Assert.Equal([false, true, false, false], clients.Select(advertising));
        Assert.Equal(clients.Select(service), clients.Select(c => c.MayReceive(ConsentPurpose.Service)));
        Assert.Equal(clients.Select(advertising), clients.Select(c => c.MayReceive(ConsentPurpose.Advertising)));
    }

    [Fact]
    public void Erase_ClearsEveryPersonalField_AndKeepsAnEarlierOptOut()
    {
        var client = Saved(42);
        client.MiddleName = "Сергеевна";
        client.City = "Москва";
        client.Gender = Gender.Female;
        client.SetConsent(ConsentPurpose.Service, true, Now, "crm", null);
        client.SetConsent(ConsentPurpose.Advertising, true, Now, "crm", null);
        client.OptOut(Now, "STOP");
        client.Erase(Now.AddDays(5));
        Assert.Equal("erased:42", client.Phone);
        Assert.Null(client.MiddleName);
        Assert.Null(client.City);
        Assert.Equal(Gender.Unknown, client.Gender);
        Assert.Same(Consent.None, client.ServiceConsent);
        Assert.Same(Consent.None, client.AdvertisingConsent);
        Assert.Equal((Now, "erased", Now.AddDays(5)), (client.OptedOutAt, client.OptOutReason, client.UpdatedAt));
    }

    [Fact]
    public void Erase_OfAClientNotOptedOut_OptsOutThen()
    {
        var client = NewClient();
        client.Erase(Now);
        Assert.Equal((Now, "erased", ClientStatus.Erased), (client.OptedOutAt, client.OptOutReason, client.Status));
    }

    [Fact]
    public void ErasedClient_RefusesEveryChange_InWords()
    {
        var client = NewClient();
        client.Erase(Now);
        var changes = new Action[]
        {
            () => client.SetConsent(ConsentPurpose.Service, true, Now, "crm", null),
            () => client.OptOut(Now, "STOP"),
            () => client.OptIn(Now),
            () => client.Deactivate(Now),
            () => client.Block(Now),
            () => client.Activate(Now),
        };
        Assert.All(changes, change => Assert.Equal(Erased, Assert.Throws<DomainException>(change).Message));
        Assert.Equal(ClientStatus.Erased, client.Status);
    }

    // Attributes, tags, events.

    [Theory]
    [InlineData("contract_type", "contract_type")]
    [InlineData("Contract_Type1", "contract_type1")]
    [InlineData("X", "x")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234", "a234567890123456789012345678901234567890123456789012345678901234")]
    public void AttributeKey_OfLatinLettersDigitsAndUnderscores_IsLowerCased(string key, string expected) =>
        Assert.Equal(expected, new AttributeDefinition(key, AttributeType.Text, "Label").Key);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("contract-type")]
    [InlineData("contract type")]
    [InlineData("договор")]
    [InlineData("a2345678901234567890123456789012345678901234567890123456789012345")]
    public void AttributeKey_OtherwiseIsRefusedInWords(string? key)
    {
        var error = Assert.Throws<DomainException>(() => new AttributeDefinition(key!, AttributeType.Text, "Label"));
        Assert.Equal("An attribute key is 1 to 64 Latin letters, digits or underscores.", error.Message);
    }

    [Fact]
    public void AttributeLabel_IsTrimmed_OrTheKeyAsTyped()
    {
        var definition = new AttributeDefinition("Contract_Type", AttributeType.Number, "  Contract type ");
        Assert.Equal(("contract_type", AttributeType.Number, "Contract type"), (definition.Key, definition.Type, definition.Label));
        Assert.Equal("Contract_Type", new AttributeDefinition("Contract_Type", AttributeType.Date, " ").Label);
    }

    [Fact]
    public void ClientAttribute_AndTag_KeepWhatTheyWereGiven()
    {
        var at = new DateTime(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc);
        var attribute = new ClientAttribute(5, 9, "B2B", 1.5m, at, true);
        Assert.Equal((5L, 9, "B2B", (decimal?)1.5m, (DateTime?)at, (bool?)true), (attribute.ClientId, attribute.DefinitionId, attribute.Text, attribute.Number, attribute.Date, attribute.Boolean));
        var tag = new ClientTag(5, "  VIP ");
        Assert.Equal((5L, "vip"), (tag.ClientId, tag.Tag));
    }

    [Fact]
    public void ClientEvent_KeepsItsValues_AndItsSourceOnlyWithAKey()
    {
        var keyed = new ClientEvent(5, ClientEventType.Purchase, Now, 99.5m, "order", "{}", ClientEvent.ApiSource, "ev-1");
        Assert.Equal((5L, ClientEventType.Purchase, Now, (decimal?)99.5m, "order", "{}"), (keyed.ClientId, keyed.Type, keyed.OccurredAt, keyed.Amount, keyed.Name, keyed.AttributesJson));
        Assert.Equal(("api", "ev-1"), (keyed.Source, keyed.EventKey));
        var plain = new ClientEvent(5, ClientEventType.Login, Now, source: "api");
        Assert.Null(plain.Source);
        Assert.Null(plain.EventKey);
        Assert.Equal("sync:3", ClientEvent.SyncSource(3));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void ClientEvent_KeyWithoutSource_IsRefused(string? source)
    {
        var error = Assert.Throws<ArgumentException>(() => new ClientEvent(5, ClientEventType.Purchase, Now, source: source, eventKey: "ev-1"));
        Assert.Equal("source", error.ParamName);
        Assert.StartsWith("An event key is unique within its source: name the source.", error.Message);
    }

    // Phones and operators.

    [Theory]
    [InlineData(null, "The phone number is empty.")]
    [InlineData(" ", "The phone number is empty.")]
    [InlineData(" +7 999 ABC 12 34 ", "'+7 999 ABC 12 34' is not a phone number: it contains letters (a phone number is digits only).")]
    [InlineData(" +7 916 123 ", "'+7 916 123' is not a valid phone number.")]
    [InlineData(" +7 495 123-45-67 ", "'+7 495 123-45-67' is not a mobile number.")]
    [InlineData(" + ", "'+' is not a phone number (NOT_A_NUMBER).")]
    public void TryParse_BadInput_SaysWhyInWords(string? input, string reason)
    {
        Assert.False(PhoneNumber.TryParse(input, out var phone, out var error));
        Assert.Equal(reason, error);
        Assert.Equal(default, phone);
        Assert.Equal(reason, Assert.Throws<DomainException>(() => PhoneNumber.Parse(input!)).Message);
    }

    [Fact]
    public void TryParse_OtherRegion_AndAnyMobileOrFixedLine()
    {
        Assert.True(PhoneNumber.TryParse("(202) 555-0123", out var phone, out var error, "US"), error);
        Assert.Null(error);
        Assert.Equal("+12025550123", phone.ToString());
        Assert.False(PhoneNumber.TryParse("(202) 555-0123", out _, out _));
    }

    [Theory]
    [InlineData("+79101234567", "MTS")]
    [InlineData("+79891234567", "MTS")]
    [InlineData("+79201234567", "MegaFon")]
    [InlineData("+79971234567", "MegaFon")]
    [InlineData("+79691234567", "Beeline")]
    [InlineData("+79001234567", "T2")]
    [InlineData("+79991234567", "T2")]
    [InlineData("+79161234", "Other")]            // too short
    [InlineData("+791612345678", "Other")]        // too long
    [InlineData("+89161234567", "Other")]         // not +79
    [InlineData("+79351234567", "Other")]         // a gap in MegaFon's codes
    public void Operator_ComesFromTheDefCodeOfATwelveCharacterPlus79Number(string phone, string expected) =>
        Assert.Equal(expected, MobileOperators.Of(phone));

    [Fact]
    public void Operators_AreTheFourAndOther() =>
        Assert.Equal(["MTS", "MegaFon", "Beeline", "T2", "Other"], MobileOperators.All);

    // Regions.

    [Theory]
    [InlineData("MOW", "Москва", "Moscow", "Europe/Moscow")]
    [InlineData("mow", "Москва", "Moscow", "Europe/Moscow")]
    [InlineData("Pri", "Приморский край", "Primorsky Krai", "Asia/Vladivostok")]
    [InlineData("UD", "Удмуртская Республика", "Udmurtia", "Europe/Samara")]
    public void Region_IsFoundByCode_IgnoringCase(string code, string russian, string english, string zone)
    {
        var region = RussianRegions.Find(code);
        Assert.NotNull(region);
        Assert.Equal((russian, english, zone), (region.NameRu, region.NameEn, region.TimeZone));
        Assert.Equal(zone, RussianRegions.TimeZoneOf(code));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("XX")]
    public void Region_Unknown_IsNull_AndMoscowTime(string? code)
    {
        Assert.Null(RussianRegions.Find(code));
        Assert.Equal("Europe/Moscow", RussianRegions.TimeZoneOf(code));
    }

    [Fact]
    public void Regions_HaveCodesNamesZonesAndCities()
    {
        Assert.Equal(RussianRegions.All.Count, RussianRegions.All.Select(r => r.Code).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(RussianRegions.All, region =>
        {
            Assert.Matches("^[A-Z]{2,3}$", region.Code);
            Assert.Matches("^[А-ЯЁ][А-Яа-яЁё() -]+$", region.NameRu);
            Assert.Matches("^[A-Z][A-Za-z() -]+$", region.NameEn);
            Assert.True(TimeZoneInfo.TryFindSystemTimeZoneById(region.TimeZone, out _), region.TimeZone);
            Assert.True(region.PopulationThousands > 0);
            Assert.NotEmpty(region.Cities);
            Assert.All(region.Cities, city => Assert.Matches("^[А-ЯЁ][А-Яа-яЁё -]+$", city));
            Assert.Equal(region.Cities.Count, region.Cities.Distinct().Count());
        });
    }
}
