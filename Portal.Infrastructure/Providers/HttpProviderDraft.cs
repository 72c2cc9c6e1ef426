using System.Globalization;
using System.Text.RegularExpressions;

namespace Portal.Infrastructure.Providers;

/// <summary>
/// The HTTP part of <see cref="ProviderDraft"/> as the form edits it: the lists of
/// <see cref="HttpProviderSettings"/> as text, one item a line (<c>Name: value</c> headers,
/// <c>value = Status</c> receipt statuses, comma-separated success codes), so a phone can edit them.
/// </summary>
public sealed partial class HttpProviderDraft
{
    public HttpProviderPreset Preset { get; set; } = HttpProviderPreset.Generic;
    public string Method { get; set; } = "POST";
    public string UrlTemplate { get; set; } = "";
    public string? BodyTemplate { get; set; }
    public string ContentType { get; set; } = "application/json";
    public string Headers { get; set; } = "";
    public string Username { get; set; } = "";
    public int TimeoutSeconds { get; set; } = 15;
    public string SuccessStatusCodes { get; set; } = "200, 201, 202";
    public string? MessageIdJsonPath { get; set; }
    public string? MessageIdRegex { get; set; }
    public string? ErrorJsonPath { get; set; }
    public string? ErrorRegex { get; set; }
    public string DlrUrlQuery { get; set; } = "";
    public bool DlrUrlCarriesSecret { get; set; }
    public string FlashParameter { get; set; } = "";
    public string? ReceiptMessageIdField { get; set; } = "id";
    public string? ReceiptProviderIdField { get; set; } = "message_id";
    public string ReceiptStatusField { get; set; } = "status";
    public string? ReceiptErrorField { get; set; } = "error";
    public string ReceiptStatusMap { get; set; } = MapText(new HttpReceiptFields().StatusMap);
    public string InboundFromField { get; set; } = "from";
    public string InboundToField { get; set; } = "to";
    public string InboundTextField { get; set; } = "text";
    public string? InboundIdField { get; set; } = "id";

    public static HttpProviderDraft From(HttpProviderSettings s) => new()
    {
        Preset = s.Preset, Method = s.Method, UrlTemplate = s.UrlTemplate, BodyTemplate = s.BodyTemplate, ContentType = s.ContentType,
        Headers = string.Join("\n", s.Headers.Select(h => $"{h.Key}: {h.Value}")), Username = s.Username, TimeoutSeconds = s.TimeoutSeconds,
        SuccessStatusCodes = string.Join(", ", s.SuccessStatusCodes), MessageIdJsonPath = s.MessageIdJsonPath, MessageIdRegex = s.MessageIdRegex,
        ErrorJsonPath = s.ErrorJsonPath, ErrorRegex = s.ErrorRegex, DlrUrlQuery = s.DlrUrlQuery, DlrUrlCarriesSecret = s.DlrUrlCarriesSecret,
        FlashParameter = s.FlashParameter,
        ReceiptMessageIdField = s.Receipts.MessageIdField, ReceiptProviderIdField = s.Receipts.ProviderIdField, ReceiptStatusField = s.Receipts.StatusField,
        ReceiptErrorField = s.Receipts.ErrorField, ReceiptStatusMap = MapText(s.Receipts.StatusMap),
        InboundFromField = s.Inbound.FromField, InboundToField = s.Inbound.ToField, InboundTextField = s.Inbound.TextField, InboundIdField = s.Inbound.IdField,
    };

    /// <summary>Fills every field from a preset; the Kannel preset keeps the scheme, host and port typed so far.</summary>
    public void Apply(HttpProviderPreset preset)
    {
        if (preset != HttpProviderPreset.Kannel)
        {
            Preset = preset;
            return;
        }
        var baseUrl = Uri.TryCreate(UrlTemplate, UriKind.Absolute, out var typed) ? typed.GetLeftPart(UriPartial.Authority) : "http://127.0.0.1:13013";
        var kannel = From(HttpProviderSettings.Kannel(baseUrl, Username));
        foreach (var property in typeof(HttpProviderDraft).GetProperties()) property.SetValue(this, property.GetValue(kannel));
    }

    /// <summary>The settings, or the problems of the text fields (each a resource key).</summary>
    public (HttpProviderSettings? Settings, IReadOnlyList<string> Problems) ToSettings()
    {
        var problems = new List<string>();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in Lines(Headers))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) problems.Add("Write each header as Name: value, one a line.");
            else headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var codes = new List<int>();
        foreach (var part in SuccessStatusCodes.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var code)) codes.Add(code);
            else problems.Add("Success codes are numbers separated by commas, e.g. 200, 202.");
        }
        var map = new Dictionary<string, HttpReceiptStatus>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in Lines(ReceiptStatusMap))
        {
            var eq = line.LastIndexOf('=');
            if (eq <= 0 || !Enum.TryParse<HttpReceiptStatus>(line[(eq + 1)..].Trim(), ignoreCase: true, out var status) || !Enum.IsDefined(status))
                problems.Add("Write each receipt status as value = Delivered, Undeliverable, Rejected, Expired, Unknown or Ignore, one a line.");
            else map[line[..eq].Trim()] = status;
        }
        if (problems.Count > 0) return (null, problems.Distinct().ToList());
        var settings = new HttpProviderSettings
        {
            Preset = Preset, Method = Method, UrlTemplate = UrlTemplate.Trim(), BodyTemplate = string.IsNullOrWhiteSpace(BodyTemplate) ? null : BodyTemplate,
            ContentType = ContentType.Trim(), Headers = headers, Username = Username.Trim(), TimeoutSeconds = TimeoutSeconds, SuccessStatusCodes = codes,
            MessageIdJsonPath = Blank(MessageIdJsonPath), MessageIdRegex = Blank(MessageIdRegex), ErrorJsonPath = Blank(ErrorJsonPath), ErrorRegex = Blank(ErrorRegex),
            DlrUrlQuery = DlrUrlQuery.Trim(), DlrUrlCarriesSecret = DlrUrlCarriesSecret, FlashParameter = FlashParameter.Trim(),
            Receipts = new HttpReceiptFields
            {
                MessageIdField = Blank(ReceiptMessageIdField), ProviderIdField = Blank(ReceiptProviderIdField), StatusField = ReceiptStatusField.Trim(),
                ErrorField = Blank(ReceiptErrorField), StatusMap = map,
            },
            Inbound = new HttpInboundFields
            {
                FromField = InboundFromField.Trim(), ToField = InboundToField.Trim(), TextField = InboundTextField.Trim(), IdField = Blank(InboundIdField),
            },
        };
        if (string.IsNullOrWhiteSpace(settings.Inbound.FromField) || string.IsNullOrWhiteSpace(settings.Inbound.ToField) || string.IsNullOrWhiteSpace(settings.Inbound.TextField))
            problems.Add("Inbound SMS need the sender, recipient and text field names.");
        problems.AddRange(settings.Problems());
        return problems.Count > 0 ? (null, problems) : (settings, problems);
    }

    [GeneratedRegex("^[A-Za-z0-9_.~-]{16,128}$")]
    private static partial Regex SecretPattern();

    /// <summary>
    /// Callback secrets travel in URLs (Kannel's dlr-url), so they are URL-safe: 16 to 128 letters,
    /// digits, '-', '_', '.', '~'.
    /// </summary>
    public static bool IsValidSecret(string secret) => SecretPattern().IsMatch(secret);

    internal static string MapText(IReadOnlyDictionary<string, HttpReceiptStatus> map) => string.Join("\n", map.Select(m => $"{m.Key} = {m.Value}"));

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0);

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
