using System.Globalization;
using Portal.Domain.Clients;

namespace Portal.Domain.Imports;

/// <summary>One file row turned into client values; fields the file does not map stay null.</summary>
public sealed class ImportedClient
{
    public string? ExternalId { get; set; }
    public string Phone { get; set; } = "";
    public string? FirstName { get; set; }
    public string? MiddleName { get; set; }
    public string? LastName { get; set; }
    public Gender? Gender { get; set; }
    public DateOnly? BirthDate { get; set; }
    public string? Language { get; set; }
    public string? RegionCode { get; set; }
    public string? City { get; set; }
    public string? TimeZone { get; set; }
    public ClientStatus? Status { get; set; }
    public DateTime? RegisteredAt { get; set; }
    public LoyaltyTier? LoyaltyTier { get; set; }
    public string? Tariff { get; set; }
    public decimal? Balance { get; set; }
    public decimal? TotalSpend { get; set; }
    public int? PurchaseCount { get; set; }
    public DateTime? LastPurchaseAt { get; set; }
    public DateTime? LastActivityAt { get; set; }
    public bool? ServiceConsent { get; set; }
    public bool? AdvertisingConsent { get; set; }
    public IReadOnlyList<string>? Tags { get; set; }
    public string Operator => MobileOperators.Of(Phone);
}

public sealed record RowError(string? Column, string Reason);

/// <summary>
/// Validates and converts the cells of one row. Pure: no database, so a 1.9 M-row file is
/// checked as it streams. Cells are kept as text; a cell starting with <c>=</c>, <c>+</c>,
/// <c>-</c> or <c>@</c> in a text field is stored verbatim and neutralised by exports.
/// </summary>
public sealed class ClientRowParser(IReadOnlyList<ClientField?> mapping, IReadOnlyList<string> headers, ImportMatch match)
{
    private static readonly string[] DateFormats =
        ["yyyy-MM-dd", "dd.MM.yyyy", "d.M.yyyy", "dd/MM/yyyy", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssZ",
         "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "dd.MM.yyyy HH:mm", "dd.MM.yyyy HH:mm:ss"];

    public bool Maps(ClientField field) => mapping.Contains(field);

    public ImportedClient? Parse(IReadOnlyList<string?> cells, List<RowError> errors)
    {
        var c = new ImportedClient();
        var start = errors.Count;
        for (var i = 0; i < mapping.Count; i++)
        {
            if (mapping[i] is not { } field)
            {
                continue;
            }
            var raw = i < cells.Count ? cells[i]?.Trim() : null;
            if (string.IsNullOrEmpty(raw))
            {
                continue;
            }
            var column = i < headers.Count ? headers[i] : $"#{i + 1}";
            string? error = field switch
            {
                ClientField.ExternalId => Text(raw, 64, v => c.ExternalId = v),
                ClientField.Phone => PhoneNumber.TryParse(raw, out var phone, out var why) ? Set(() => c.Phone = phone.Value) : why,
                ClientField.FirstName => Text(raw, 100, v => c.FirstName = v),
                ClientField.MiddleName => Text(raw, 100, v => c.MiddleName = v),
                ClientField.LastName => Text(raw, 100, v => c.LastName = v),
                ClientField.Gender => ParseGender(raw) is { } g ? Set(() => c.Gender = g) : $"'{raw}' is not a gender (M/F, м/ж).",
                ClientField.BirthDate => ParseDate(raw) is { } d && d.Year >= 1900 && d <= DateTime.UtcNow
                    ? Set(() => c.BirthDate = DateOnly.FromDateTime(d)) : $"'{raw}' is not a birth date (YYYY-MM-DD or DD.MM.YYYY).",
                ClientField.Language => raw.Length is 2 or 3 && raw.All(char.IsAsciiLetter) ? Set(() => c.Language = raw.ToLowerInvariant()) : $"'{raw}' is not a language code (ru, en, ...).",
                ClientField.Region => FindRegion(raw) is { } r ? Set(() => c.RegionCode = r.Code) : $"'{raw}' is not a known region.",
                ClientField.City => Text(raw, 100, v => c.City = v),
                ClientField.TimeZone => TimeZoneInfo.TryFindSystemTimeZoneById(raw, out _) ? Set(() => c.TimeZone = raw) : $"'{raw}' is not a time zone (e.g. Europe/Moscow).",
                ClientField.Status => Enum.TryParse<ClientStatus>(raw, true, out var s) && s != ClientStatus.Erased && Enum.IsDefined(s)
                    ? Set(() => c.Status = s) : $"'{raw}' is not a status (Active, Inactive, Blocked).",
                ClientField.RegisteredAt => Timestamp(raw, v => c.RegisteredAt = v),
                ClientField.LoyaltyTier => ParseTier(raw) is { } t ? Set(() => c.LoyaltyTier = t) : $"'{raw}' is not a loyalty tier (None, Silver, Gold, Platinum).",
                ClientField.Tariff => Text(raw, 100, v => c.Tariff = v),
                ClientField.Balance => Money(raw, v => c.Balance = v),
                ClientField.TotalSpend => Money(raw, v => c.TotalSpend = v),
                ClientField.PurchaseCount => int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
                    ? Set(() => c.PurchaseCount = n) : $"'{raw}' is not a whole number.",
                ClientField.LastPurchaseAt => Timestamp(raw, v => c.LastPurchaseAt = v),
                ClientField.LastActivityAt => Timestamp(raw, v => c.LastActivityAt = v),
                ClientField.ServiceConsent => ParseBool(raw) is { } sc ? Set(() => c.ServiceConsent = sc) : $"'{raw}' is not yes/no.",
                ClientField.AdvertisingConsent => ParseBool(raw) is { } ac ? Set(() => c.AdvertisingConsent = ac) : $"'{raw}' is not yes/no.",
                ClientField.Tags => Set(() => c.Tags = raw.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(t => t.ToLowerInvariant()).Where(t => t.Length <= 64).Distinct().ToList()),
                _ => $"Unsupported field {field}.",
            };
            if (error is not null)
            {
                errors.Add(new RowError(column, error));
            }
        }
        if (string.IsNullOrEmpty(c.Phone) && !errors.Skip(start).Any(e => IsPhoneColumn(e.Column)))
        {
            errors.Add(new RowError(ColumnOf(ClientField.Phone), "The phone number is empty."));
        }
        if (match == ImportMatch.ExternalId && string.IsNullOrEmpty(c.ExternalId))
        {
            errors.Add(new RowError(ColumnOf(ClientField.ExternalId), "The external id is empty: rows are matched by it."));
        }
        if (c.RegionCode is not null && c.TimeZone is null)
        {
            c.TimeZone = RussianRegions.TimeZoneOf(c.RegionCode);
        }
        return errors.Count == start ? c : null;
    }

    private bool IsPhoneColumn(string? column) => column == ColumnOf(ClientField.Phone);

    private string? ColumnOf(ClientField field)
    {
        for (var i = 0; i < mapping.Count; i++)
        {
            if (mapping[i] == field)
            {
                return i < headers.Count ? headers[i] : null;
            }
        }
        return null;
    }

    private static string? Set(Action apply)
    {
        apply();
        return null;
    }

    private static string? Text(string raw, int max, Action<string> apply) =>
        raw.Length <= max ? Set(() => apply(raw)) : $"Longer than {max} characters.";

    private static string? Money(string raw, Action<decimal> apply) =>
        decimal.TryParse(raw.Replace(" ", "").Replace("\u00A0", "").Replace(",", "."), NumberStyles.Number, CultureInfo.InvariantCulture, out var v)
        && Math.Abs(v) < 1_000_000_000_000m
            ? Set(() => apply(Math.Round(v, 2)))
            : $"'{raw}' is not an amount.";

    private static string? Timestamp(string raw, Action<DateTime> apply) =>
        ParseDate(raw) is { } d ? Set(() => apply(d)) : $"'{raw}' is not a date (YYYY-MM-DD, DD.MM.YYYY or ISO 8601).";

    /// <summary>UTC; a value without a zone is taken as UTC.</summary>
    public static DateTime? ParseDate(string raw) =>
        DateTime.TryParseExact(raw, DateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d)
            ? DateTime.SpecifyKind(d, DateTimeKind.Utc)
            : null;

    private static Gender? ParseGender(string raw) => raw.ToLowerInvariant() switch
    {
        "m" or "male" or "м" or "муж" or "мужской" or "1" => Gender.Male,
        "f" or "female" or "ж" or "жен" or "женский" or "2" => Gender.Female,
        "u" or "unknown" or "0" or "-" => Gender.Unknown,
        _ => null,
    };

    private static LoyaltyTier? ParseTier(string raw) => raw.ToLowerInvariant() switch
    {
        "none" or "нет" or "0" => LoyaltyTier.None,
        "silver" or "серебро" or "серебряный" or "1" => LoyaltyTier.Silver,
        "gold" or "золото" or "золотой" or "2" => LoyaltyTier.Gold,
        "platinum" or "платина" or "платиновый" or "3" => LoyaltyTier.Platinum,
        _ => null,
    };

    private static bool? ParseBool(string raw) => raw.ToLowerInvariant() switch
    {
        "1" or "yes" or "y" or "true" or "да" or "д" or "+" => true,
        "0" or "no" or "n" or "false" or "нет" or "н" or "-" => false,
        _ => null,
    };

    private static Region? FindRegion(string raw) =>
        RussianRegions.Find(raw) ?? RussianRegions.All.FirstOrDefault(r =>
            string.Equals(r.NameRu, raw, StringComparison.OrdinalIgnoreCase) || string.Equals(r.NameEn, raw, StringComparison.OrdinalIgnoreCase));
}
