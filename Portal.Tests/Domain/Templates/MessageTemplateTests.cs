using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Templates;

namespace Portal.Tests.Domain.Templates;

/// <summary>Issue 21 (mutation testing): the template entity's guards and error texts, versions, the sample client and the merge-field list.</summary>
public class MessageTemplateTests
{
    private static readonly DateTime Created = new(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Edited = new(2026, 12, 4, 18, 30, 0, DateTimeKind.Utc);

    [Fact]
    public void NewTemplate_IsVersionOne_WithItsNameTrimmedAndTheBodyAsWritten()
    {
        var template = new MessageTemplate("  Welcome  ", 7, "  Hello {{ client.first_name }}  ", "anna", Created);
        Assert.Equal("Welcome", template.Name);
        Assert.Equal(7, template.DepartmentId);
        Assert.Equal("  Hello {{ client.first_name }}  ", template.Body);
        Assert.Equal(1, template.Version);
        Assert.Equal("anna", template.CreatedBy);
        Assert.Equal(Created, template.CreatedAt);
        Assert.Equal(Created, template.UpdatedAt);
        Assert.Null(template.SandboxOwnerId);
    }

    [Fact]
    public void ChangeBody_MakesTheNextVersion_AndMovesUpdatedAt()
    {
        var template = new MessageTemplate("Welcome", null, "Hello", "anna", Created);
        template.ChangeBody("Hello again", Edited);
        Assert.Equal("Hello again", template.Body);
        Assert.Equal(2, template.Version);
        Assert.Equal(Edited, template.UpdatedAt);
        Assert.Equal(Created, template.CreatedAt);
        template.ChangeBody("Third", Edited.AddHours(1));
        Assert.Equal(3, template.Version);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void Name_Blank_IsRefusedInWords(string? name)
    {
        var error = Assert.Throws<DomainException>(() => new MessageTemplate(name!, null, "Hello", "anna", Created));
        Assert.Equal("A template name is 1 to 200 characters.", error.Message);
    }

    [Fact]
    public void Name_Of200Characters_IsAccepted_And201Refused()
    {
        var template = new MessageTemplate(new string('n', 200), null, "Hello", "anna", Created);
        Assert.Equal(200, template.Name.Length);
        var error = Assert.Throws<DomainException>(() => template.Rename(new string('n', 201)));
        Assert.Equal("A template name is 1 to 200 characters.", error.Message);
        Assert.Equal(200, template.Name.Length);
        template.Rename(" x ");
        Assert.Equal("x", template.Name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  \n ")]
    public void Body_Blank_IsRefusedInWords(string? body)
    {
        var error = Assert.Throws<DomainException>(() => new MessageTemplate("Welcome", null, body!, "anna", Created));
        Assert.Equal("A template needs text.", error.Message);
    }

    [Fact]
    public void Body_Of5000Characters_IsAccepted_And5001Refused_WithoutANewVersion()
    {
        var template = new MessageTemplate("Welcome", null, new string('b', 5000), "anna", Created);
        Assert.Equal(5000, template.Body.Length);
        var error = Assert.Throws<DomainException>(() => template.ChangeBody(new string('b', 5001), Edited));
        Assert.Equal("A template is at most 5,000 characters.", error.Message);
        Assert.Equal((1, 5000, Created), (template.Version, template.Body.Length, template.UpdatedAt));
    }

    [Fact]
    public void CurrentVersion_RecordsTheTextTheVersionAndWhen()
    {
        var template = new MessageTemplate("Welcome", null, "Hello", "anna", Created);
        template.ChangeBody("Hello again", Edited);
        var version = template.CurrentVersion("boris");
        Assert.Equal((0, 2, "Hello again", "boris", Edited), (version.TemplateId, version.Version, version.Body, version.CreatedBy, version.CreatedAt));
        Assert.Equal(0, version.Id);
    }

    [Fact]
    public void TemplateVersion_KeepsWhatItWasGiven()
    {
        var version = new TemplateVersion(12, 3, "Body", "anna", Edited);
        Assert.Equal((12, 3, "Body", "anna", Edited), (version.TemplateId, version.Version, version.Body, version.CreatedBy, version.CreatedAt));
    }

    [Fact]
    public void PlaceInSandbox_NewTemplate_BelongsToTheTrainee()
    {
        var template = new MessageTemplate("Welcome", null, "Hello", "anna", Created);
        template.PlaceInSandbox("trainee-1");
        Assert.Equal("trainee-1", template.SandboxOwnerId);
        var error = Assert.Throws<DomainException>(() => template.PlaceInSandbox(" "));
        Assert.Equal("A sandbox belongs to a user.", error.Message);
    }

    [Fact]
    public void PlaceInSandbox_SavedTemplate_IsRefusedInWords()
    {
        var template = new MessageTemplate("Welcome", null, "Hello", "anna", Created);
        // As EF Core does after saving.
        typeof(MessageTemplate).GetProperty(nameof(MessageTemplate.Id))!.SetValue(template, 5);
        var error = Assert.Throws<DomainException>(() => template.PlaceInSandbox("trainee-1"));
        Assert.Equal("Only a new row can be placed in a sandbox.", error.Message);
        Assert.Null(template.SandboxOwnerId);
    }

    [Fact]
    public void SampleClient_IsAnnaIvanova_OutsideEveryRealRange()
    {
        var now = new DateTime(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc);
        var sample = SampleClient.Create(now);
        Assert.Equal("+79000000000", SampleClient.Phone);
        Assert.Equal(SampleClient.Phone, sample.Phone);
        Assert.Equal(("Анна", "Сергеевна", "Иванова"), (sample.FirstName, sample.MiddleName, sample.LastName));
        Assert.Equal(("Москва", "MOW", Gender.Female, LoyaltyTier.Gold), (sample.City, sample.RegionCode, sample.Gender, sample.LoyaltyTier));
        Assert.Equal((1234.5m, 56789m, 12), (sample.Balance, sample.TotalSpend, sample.PurchaseCount));
        Assert.Equal(new DateTime(2024, 12, 4, 12, 0, 0, DateTimeKind.Utc), sample.RegisteredAt);
        Assert.Equal(new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc), sample.LastPurchaseAt);
        Assert.Equal(new DateOnly(1990, 5, 17), sample.BirthDate);
        Assert.Equal(("Premium", "CRM-0001"), (sample.Tariff, sample.ExternalId));
    }

    [Theory]
    [InlineData("client.first_name", "First name", true)]
    [InlineData("client.middle_name", "Middle name", true)]
    [InlineData("client.last_name", "Last name", true)]
    [InlineData("client.full_name", "Full name", true)]
    [InlineData("client.gender", "Gender", false)]
    [InlineData("client.birth_date", "Birth date", true)]
    [InlineData("client.city", "City", false)]
    [InlineData("client.region", "Region", false)]
    [InlineData("client.tariff", "Tariff", false)]
    [InlineData("client.loyalty_tier", "Loyalty tier", false)]
    [InlineData("client.balance", "Balance", false)]
    [InlineData("client.total_spend", "Total spend", false)]
    [InlineData("client.purchase_count", "Purchase count", false)]
    [InlineData("client.last_purchase_at", "Last purchase", false)]
    [InlineData("client.registered_at", "Registered", false)]
    [InlineData("client.external_id", "External id", true)]
    [InlineData("client.language", "Language", false)]
    [InlineData("campaign.name", "Campaign name", false)]
    [InlineData("campaign.sender", "Sender id", false)]
    [InlineData("campaign.date", "Send date", false)]
    public void MergeField_IsListed_WithItsLabelAndPersonalDataFlag_AndCompiles(string path, string label, bool personal)
    {
        var field = Assert.Single(MergeFields.Client.Concat(MergeFields.Campaign), f => f.Path == path);
        Assert.Equal(new MergeField(path, label, personal), field);
        Assert.Equal("{{ " + path + " }}", field.Tag);
        new TemplateEngine().Compile(field.Tag);
    }

    [Fact]
    public void MergeFields_AreTheSeventeenClientAndThreeCampaignFields()
    {
        Assert.Equal(17, MergeFields.Client.Count);
        Assert.Equal(3, MergeFields.Campaign.Count);
        Assert.All(MergeFields.Client, f => Assert.StartsWith("client.", f.Path));
        Assert.All(MergeFields.Campaign, f => Assert.StartsWith("campaign.", f.Path));
    }

    [Fact]
    public void Attribute_IsAnAttrFieldWithoutPersonalData()
    {
        var field = MergeFields.Attribute("contract_type", "Contract type");
        Assert.Equal(new MergeField("attr.contract_type", "Contract type"), field);
        Assert.False(field.PersonalData);
        Assert.Equal("{{ attr.contract_type }}", field.Tag);
        Assert.Equal(("client", "attr", "campaign"), (MergeFields.ClientRoot, MergeFields.AttributesRoot, MergeFields.CampaignRoot));
    }
}
