using Portal.Domain.Clients;

namespace Portal.Domain.Templates;

/// <summary>
/// A made-up client for previews and for test sends of roles without personal data (issue 14): no
/// real person's data, so nothing to mask and nothing to audit. The phone is outside every real range.
/// </summary>
public static class SampleClient
{
    public const string Phone = "+79000000000";

    public static Client Create(DateTime now) =>
        new(PhoneNumber.FromTrusted(Phone), "Анна", "Иванова", now.AddYears(-2))
        {
            MiddleName = "Сергеевна",
            City = "Москва",
            RegionCode = "MOW",
            Gender = Gender.Female,
            LoyaltyTier = LoyaltyTier.Gold,
            Balance = 1234.5m,
            TotalSpend = 56789m,
            PurchaseCount = 12,
            LastPurchaseAt = now.AddDays(-3),
            BirthDate = new DateOnly(1990, 5, 17),
            Tariff = "Premium",
            ExternalId = "CRM-0001",
        };
}
