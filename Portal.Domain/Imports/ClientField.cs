namespace Portal.Domain.Imports;

/// <summary>A client field a file column can be mapped to.</summary>
public enum ClientField
{
    ExternalId = 1,
    Phone,
    FirstName,
    MiddleName,
    LastName,
    Gender,
    BirthDate,
    Language,
    Region,
    City,
    TimeZone,
    Status,
    RegisteredAt,
    LoyaltyTier,
    Tariff,
    Balance,
    TotalSpend,
    PurchaseCount,
    LastPurchaseAt,
    LastActivityAt,
    ServiceConsent,
    AdvertisingConsent,
    Tags,
}

/// <summary>Recognises common column headers (English and Russian) so most files map themselves.</summary>
public static class ClientFieldHeaders
{
    private static readonly Dictionary<string, ClientField> Aliases = Build();

    private static Dictionary<string, ClientField> Build()
    {
        var map = new Dictionary<string, ClientField>(StringComparer.OrdinalIgnoreCase);
        void Add(ClientField f, params string[] names)
        {
            map[f.ToString()] = f;
            foreach (var n in names)
            {
                map[Normalize(n)] = f;
            }
        }
        Add(ClientField.ExternalId, "external_id", "externalid", "crm_id", "client_id", "id", "ид", "код клиента", "id клиента");
        Add(ClientField.Phone, "phone", "mobile", "msisdn", "телефон", "мобильный", "номер телефона");
        Add(ClientField.FirstName, "first_name", "firstname", "name", "имя");
        Add(ClientField.MiddleName, "middle_name", "middlename", "patronymic", "отчество");
        Add(ClientField.LastName, "last_name", "lastname", "surname", "фамилия");
        Add(ClientField.Gender, "gender", "sex", "пол");
        Add(ClientField.BirthDate, "birth_date", "birthdate", "birthday", "date_of_birth", "дата рождения", "др");
        Add(ClientField.Language, "language", "lang", "язык");
        Add(ClientField.Region, "region", "region_code", "регион", "код региона");
        Add(ClientField.City, "city", "город");
        Add(ClientField.TimeZone, "time_zone", "timezone", "tz", "часовой пояс");
        Add(ClientField.Status, "status", "статус");
        Add(ClientField.RegisteredAt, "registered_at", "registration_date", "registered", "дата регистрации");
        Add(ClientField.LoyaltyTier, "loyalty_tier", "tier", "loyalty", "уровень лояльности", "уровень");
        Add(ClientField.Tariff, "tariff", "product", "plan", "тариф", "продукт");
        Add(ClientField.Balance, "balance", "баланс");
        Add(ClientField.TotalSpend, "total_spend", "spend", "ltv", "сумма покупок");
        Add(ClientField.PurchaseCount, "purchase_count", "purchases", "orders", "число покупок", "количество покупок");
        Add(ClientField.LastPurchaseAt, "last_purchase_at", "last_purchase", "последняя покупка");
        Add(ClientField.LastActivityAt, "last_activity_at", "last_activity", "последняя активность");
        Add(ClientField.ServiceConsent, "service_consent", "согласие на сервисные");
        Add(ClientField.AdvertisingConsent, "advertising_consent", "ad_consent", "marketing_consent", "согласие на рекламу");
        Add(ClientField.Tags, "tags", "теги", "метки");
        return map;
    }

    public static ClientField? Guess(string? header) =>
        header is not null && Aliases.TryGetValue(Normalize(header), out var f) ? f : null;

    private static string Normalize(string header) => header.Trim().Replace('-', '_').ToLowerInvariant();
}
