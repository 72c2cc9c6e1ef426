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
    /// <summary>Custom attribute values by definition id (issue 20); null when the file maps none or the row's cells are empty.</summary>
    public Dictionary<int, AttributeValue>? Attributes { get; set; }
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

    /// <summary>
    /// Columns mapped to a custom attribute (issue 20), by column index; their <c>mapping</c> entry is
    /// null. Values are checked against the definition's type as the client API checks them.
    /// </summary>
    public IReadOnlyDictionary<int, AttributeDefinition> AttributeColumns { get; init; } = new Dictionary<int, AttributeDefinition>();

    public ImportedClient? Parse(IReadOnlyList<string?> cells, List<RowError> errors)
    {
        var c = new ImportedClient();
        var start = errors.Count;
        for (var i = 0; i < mapping.Count; i++)
        {
            // Variables are assigned before the conditions that test them, not in patterns and out
            // arguments inside them: Stryker's mutants of such a condition leave them unassigned,
            // and it then drops every mutant of the method (issue 21).
            var mapped = mapping[i];
            if (mapped is null)
            {
                AttributeDefinition? definition = null;
                var cell = i < cells.Count ? cells[i]?.Trim() : null;
                if (AttributeColumns.Count > 0 && !string.IsNullOrEmpty(cell) && AttributeColumns.TryGetValue(i, out definition))
                {
                    var problem = AttributeValues.ParseCell(definition.Type, cell, out var value);
                    if (problem is not null)
                    {
                        errors.Add(new RowError(i < headers.Count ? headers[i] : $"#{i + 1}", problem));
                    }
                    else
                    {
                        (c.Attributes ??= [])[definition.Id] = value;
                    }
                }
                continue;
            }
            var field = mapped.Value;
            var raw = i < cells.Count ? cells[i]?.Trim() : null;
            if (string.IsNullOrEmpty(raw))
            {
                continue;
            }
            var column = i < headers.Count ? headers[i] : $"#{i + 1}";
            // A plain switch, no lambdas: this runs for every cell of a 1.9 M-row file.
            string? error = null;
            switch (field)
            {
                case ClientField.ExternalId: error = Text(raw, 64, out var externalId); c.ExternalId = externalId; break;
                case ClientField.Phone:
                    if (PhoneNumber.TryParse(raw, out var phone, out var why)) { c.Phone = phone.Value; } else { error = why; }
                    break;
                case ClientField.FirstName: error = Text(raw, 100, out var first); c.FirstName = first; break;
                case ClientField.MiddleName: error = Text(raw, 100, out var middle); c.MiddleName = middle; break;
                case ClientField.LastName: error = Text(raw, 100, out var last); c.LastName = last; break;
                case ClientField.Gender:
                    c.Gender = ParseGender(raw);
                    error = c.Gender is null ? $"'{raw}' is not a gender (M/F, м/ж)." : null;
                    break;
                case ClientField.BirthDate:
                    var birth = ParseDate(raw);
                    if (birth.HasValue && birth.Value.Year >= 1900 && birth.Value <= DateTime.UtcNow) { c.BirthDate = DateOnly.FromDateTime(birth.Value); }
                    else { error = $"'{raw}' is not a birth date (YYYY-MM-DD or DD.MM.YYYY)."; }
                    break;
                case ClientField.Language:
                    if (raw.Length is 2 or 3 && raw.All(char.IsAsciiLetter)) { c.Language = raw.ToLowerInvariant(); }
                    else { error = $"'{raw}' is not a language code (ru, en, ...)."; }
                    break;
                case ClientField.Region:
                    c.RegionCode = FindRegion(raw)?.Code;
                    error = c.RegionCode is null ? $"'{raw}' is not a known region." : null;
                    break;
                case ClientField.City: error = Text(raw, 100, out var city); c.City = city; break;
                case ClientField.TimeZone:
                    if (TimeZoneInfo.TryFindSystemTimeZoneById(raw, out _)) { c.TimeZone = raw; }
                    else { error = $"'{raw}' is not a time zone (e.g. Europe/Moscow)."; }
                    break;
                case ClientField.Status:
                    if (Enum.TryParse<ClientStatus>(raw, true, out var status) && status != ClientStatus.Erased && Enum.IsDefined(status)) { c.Status = status; }
                    else { error = $"'{raw}' is not a status (Active, Inactive, Blocked)."; }
                    break;
                case ClientField.RegisteredAt: error = Timestamp(raw, out var registered); c.RegisteredAt = registered; break;
                case ClientField.LoyaltyTier:
                    c.LoyaltyTier = ParseTier(raw);
                    error = c.LoyaltyTier is null ? $"'{raw}' is not a loyalty tier (None, Silver, Gold, Platinum)." : null;
                    break;
                case ClientField.Tariff: error = Text(raw, 100, out var tariff); c.Tariff = tariff; break;
                case ClientField.Balance: error = Money(raw, out var balance); c.Balance = balance; break;
                case ClientField.TotalSpend: error = Money(raw, out var spend); c.TotalSpend = spend; break;
                case ClientField.PurchaseCount:
                    if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0) { c.PurchaseCount = n; }
                    else { error = $"'{raw}' is not a whole number."; }
                    break;
                case ClientField.LastPurchaseAt: error = Timestamp(raw, out var lastPurchase); c.LastPurchaseAt = lastPurchase; break;
                case ClientField.LastActivityAt: error = Timestamp(raw, out var lastActivity); c.LastActivityAt = lastActivity; break;
                case ClientField.ServiceConsent:
                    c.ServiceConsent = ParseBool(raw);
                    error = c.ServiceConsent is null ? $"'{raw}' is not yes/no." : null;
                    break;
                case ClientField.AdvertisingConsent:
                    c.AdvertisingConsent = ParseBool(raw);
                    error = c.AdvertisingConsent is null ? $"'{raw}' is not yes/no." : null;
                    break;
                case ClientField.Tags:
                    c.Tags = raw.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(t => t.ToLowerInvariant()).Where(t => t.Length <= 64).Distinct().ToList();
                    break;
                default: error = $"Unsupported field {field}."; break;
            }
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

    private static string? Text(string raw, int max, out string? value)
    {
        var problem = Common.PlainText.Problem(raw, max);
        value = problem is null ? raw : null;
        return problem;
    }

    private static string? Money(string raw, out decimal? value)
    {
        var text = raw.Contains(' ') || raw.Contains('\u00A0') || raw.Contains(',') ? raw.Replace(" ", "").Replace("\u00A0", "").Replace(",", ".") : raw;
        if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var v) && Math.Abs(v) < 1_000_000_000_000m)
        {
            value = Math.Round(v, 2);
            return null;
        }
        value = null;
        return $"'{raw}' is not an amount.";
    }

    private static string? Timestamp(string raw, out DateTime? value)
    {
        value = ParseDate(raw);
        return value is null ? $"'{raw}' is not a date (YYYY-MM-DD, DD.MM.YYYY or ISO 8601)." : null;
    }

    /// <summary>UTC; a value without a zone is taken as UTC.</summary>
    public static DateTime? ParseDate(string raw)
    {
        // The two shapes CRMs export most, parsed by hand: TryParseExact over ten formats was a
        // third of the time of a 1.9 M-row import.
        var s = raw.AsSpan();
        int y = 0, m = 0, d = 0; // assigned here, not by the out arguments below (see Parse)
        if (s.Length == 10 && s[4] == '-' && s[7] == '-' && Digits(s[..4], out y) && Digits(s[5..7], out m) && Digits(s[8..], out d))
        {
            return Date(y, m, d);
        }
        if (s.Length == 10 && s[2] == '.' && s[5] == '.' && Digits(s[..2], out d) && Digits(s[3..5], out m) && Digits(s[6..], out y))
        {
            return Date(y, m, d);
        }
        return DateTime.TryParseExact(raw, DateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed)
            ? DateTime.SpecifyKind(parsed, DateTimeKind.Utc)
            : null;
    }

    private static DateTime? Date(int y, int m, int d) =>
        y is >= 1 and <= 9999 && m is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth(y, m) ? new DateTime(y, m, d, 0, 0, 0, DateTimeKind.Utc) : null;

    private static bool Digits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (var ch in s)
        {
            if (!char.IsAsciiDigit(ch))
            {
                return false;
            }
            value = value * 10 + (ch - '0');
        }
        return true;
    }

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

    public static bool? ParseBool(string raw) => raw.ToLowerInvariant() switch
    {
        "1" or "yes" or "y" or "true" or "да" or "д" or "+" => true,
        "0" or "no" or "n" or "false" or "нет" or "н" or "-" => false,
        _ => null,
    };

    private static Region? FindRegion(string raw) =>
        RussianRegions.Find(raw) ?? RussianRegions.All.FirstOrDefault(r =>
            string.Equals(r.NameRu, raw, StringComparison.OrdinalIgnoreCase) || string.Equals(r.NameEn, raw, StringComparison.OrdinalIgnoreCase));
}
