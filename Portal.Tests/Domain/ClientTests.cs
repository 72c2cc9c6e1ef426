using Portal.Domain.Clients;
using Portal.Domain.Common;

namespace Portal.Tests.Domain;

public class ClientTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static Client NewClient() => new(PhoneNumber.Parse("+79161234567"), "Анна", "Петрова", Now);

    [Fact]
    public void MayReceive_Advertising_NeedsConsentAndNoOptOut()
    {
        var client = NewClient();
        Assert.True(client.MayReceive(ConsentPurpose.Service));
        Assert.False(client.MayReceive(ConsentPurpose.Advertising));

        var record = client.SetConsent(ConsentPurpose.Advertising, true, Now, "crm", "form #12");
        Assert.True(client.MayReceive(ConsentPurpose.Advertising));
        Assert.Equal("crm", record.Source);
        Assert.Equal(Now, client.AdvertisingConsent.ChangedAt);

        client.OptOut(Now.AddDays(1), "STOP");
        Assert.False(client.MayReceive(ConsentPurpose.Advertising));
        Assert.False(client.MayReceive(ConsentPurpose.Service));
        Assert.Equal("STOP", client.OptOutReason);
    }

    [Fact]
    public void SetConsent_WithoutSource_IsRejected()
    {
        var e = Assert.Throws<DomainException>(() => NewClient().SetConsent(ConsentPurpose.Service, true, Now, " ", null));
        Assert.Contains("source", e.Message);
    }

    [Fact]
    public void Erase_RemovesPersonalDataAndFreezesTheRecord()
    {
        var client = NewClient();
        client.ExternalId = "CRM-1";
        client.BirthDate = new DateOnly(1990, 1, 1);
        client.TotalSpend = 1234m;
        client.Erase(Now);

        Assert.Null(client.FirstName);
        Assert.Null(client.LastName);
        Assert.Null(client.ExternalId);
        Assert.Null(client.BirthDate);
        Assert.StartsWith("erased:", client.Phone);
        Assert.Equal(ClientStatus.Erased, client.Status);
        Assert.Equal(1234m, client.TotalSpend);
        Assert.False(client.MayReceive(ConsentPurpose.Service));
        Assert.Throws<DomainException>(() => client.OptIn(Now));
    }
}
