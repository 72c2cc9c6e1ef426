using System.Text.RegularExpressions;

namespace Portal.Infrastructure.Providers;

/// <summary>Which shape an HTTP provider starts from: everything spelled out, or Kannel's sendsms.</summary>
public enum HttpProviderPreset
{
    Generic = 0,
    /// <summary>Kannel's <c>/cgi-bin/sendsms</c> with <c>dlr-url</c> receipts (<see cref="HttpProviderSettings.Kannel"/>).</summary>
    Kannel = 1,
}

/// <summary>
/// An HTTP provider's shape: how to send (method, URL and body templates, headers), how to read
/// the answer (message id, error) and how to read its receipt and inbound callbacks. The Kannel
/// preset fills it for Kannel's sendsms interface with dlr-url callbacks.
/// Templates take placeholders (<see cref="HttpTemplate.Placeholders"/>), URL-encoded inside the URL
/// and form bodies and JSON-escaped inside JSON bodies, so a text can never break the request.
/// The login and password of the provider row fill <c>{username}</c> and <c>{password}</c>: the
/// password stays encrypted in the row like an SMPP password.
/// </summary>
public sealed partial record HttpProviderSettings
{
    public HttpProviderPreset Preset { get; init; } = HttpProviderPreset.Generic;
    /// <summary>GET or POST.</summary>
    public string Method { get; init; } = "POST";
    public string UrlTemplate { get; init; } = "";
    /// <summary>The POST body; empty sends none.</summary>
    public string? BodyTemplate { get; init; }
    /// <summary><c>application/json</c> escapes placeholders as JSON strings, <c>application/x-www-form-urlencoded</c> URL-encodes them.</summary>
    public string ContentType { get; init; } = "application/json";
    /// <summary>Extra request headers (an API token, for example); values take placeholders too.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public string Username { get; init; } = "";
    /// <summary>How long one request may take; past it the outcome is uncertain (the provider may have accepted it).</summary>
    public int TimeoutSeconds { get; init; } = 15;

    /// <summary>HTTP codes that mean "accepted"; any other 2xx is read as a refusal.</summary>
    public IReadOnlyList<int> SuccessStatusCodes { get; init; } = [200, 201, 202];
    /// <summary>The provider's message id in a JSON answer: dotted names and [index], e.g. <c>messages[0].id</c>.</summary>
    public string? MessageIdJsonPath { get; init; }
    /// <summary>Or a regular expression over the answer whose first group (or the whole match) is the id.</summary>
    public string? MessageIdRegex { get; init; }
    /// <summary>The provider's error text in a refusal's JSON answer (dotted path); it goes into the message's error code.</summary>
    public string? ErrorJsonPath { get; init; }
    /// <summary>Or a regular expression over the answer for the error (first group or whole match).</summary>
    public string? ErrorRegex { get; init; }

    /// <summary>Added to <c>{dlr_url}</c> after our own id and secret, e.g. Kannel's escapes <c>type=%d&amp;smsc_id=%F</c>.</summary>
    public string DlrUrlQuery { get; init; } = "";
    /// <summary>Whether <c>{dlr_url}</c> carries the callback secret (for providers that cannot add a header or sign).</summary>
    public bool DlrUrlCarriesSecret { get; init; }

    /// <summary>
    /// The request field that asks the gateway for a flash SMS (message class 0), as <c>name=value</c>
    /// (Kannel's <c>mclass=0</c>; a JSON API's <c>flash=true</c>). Sent only for a message asked as
    /// flash (an alarm, issue 17) through a provider ticked "Delivers flash SMS": a member of a JSON
    /// body (true, false and numbers as JSON literals), a field of a form body, else a URL query
    /// parameter. Empty: the gateway has no such field, and flash alarms go plain.
    /// </summary>
    public string FlashParameter { get; init; } = "";

    /// <summary>How receipt callbacks are read.</summary>
    public HttpReceiptFields Receipts { get; init; } = new();
    /// <summary>How inbound SMS callbacks are read.</summary>
    public HttpInboundFields Inbound { get; init; } = new();

    public const int MaxTemplateLength = 4000;

    /// <summary>Kannel 1.4 sendsms: GET, 202 "0: Accepted for delivery", receipts by dlr-url with type %d (Kannel's user guide, "Delivery reports").</summary>
    public static HttpProviderSettings Kannel(string baseUrl = "http://127.0.0.1:13013", string username = "") => new()
    {
        Preset = HttpProviderPreset.Kannel,
        Method = "GET",
        UrlTemplate = baseUrl.TrimEnd('/') + "/cgi-bin/sendsms?username={username}&password={password}&from={from}&to={to}&text={text}"
                      + "&charset=UTF-8&coding={coding}&validity={validity_minutes}&dlr-mask=31&dlr-url={dlr_url}",
        ContentType = "text/plain",
        Username = username,
        SuccessStatusCodes = [200, 202],
        ErrorRegex = "^(?:[0-9]+: )?(.+)$",
        DlrUrlQuery = "type=%d&smsc_id=%F&answer=%A",
        // Kannel's sendsms "mclass": 0 sends the message straight to the display (flash).
        FlashParameter = "mclass=0",
        DlrUrlCarriesSecret = true,
        Receipts = new HttpReceiptFields
        {
            MessageIdField = "id",
            ProviderIdField = "smsc_id",
            StatusField = "type",
            ErrorField = "answer",
            // Kannel's DLR types: 1 delivered, 2 undeliverable, 4 buffered, 8 SMSC submit, 16 SMSC reject.
            StatusMap = new Dictionary<string, HttpReceiptStatus>
            {
                ["1"] = HttpReceiptStatus.Delivered,
                ["2"] = HttpReceiptStatus.Undeliverable,
                ["4"] = HttpReceiptStatus.Ignore,
                ["8"] = HttpReceiptStatus.Ignore,
                ["16"] = HttpReceiptStatus.Rejected,
            },
        },
        Inbound = new HttpInboundFields { FromField = "from", ToField = "to", TextField = "text", IdField = "id" },
    };

    /// <summary>Every problem in words a person can act on (each a resource key); empty when it can be saved.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Method is not ("GET" or "POST")) problems.Add("The method is GET or POST.");
        var probe = UrlTemplate.Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal);
        if (!Uri.TryCreate(probe, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            problems.Add("The URL is an absolute http or https address.");
        if (UrlTemplate.Length > MaxTemplateLength || BodyTemplate?.Length > MaxTemplateLength) problems.Add("The URL and the body are at most 4,000 characters.");
        if (HttpTemplate.UnknownPlaceholders(UrlTemplate).Concat(HttpTemplate.UnknownPlaceholders(BodyTemplate ?? "")).Any())
            problems.Add("Unknown placeholder in the URL or the body: use {to}, {to_digits}, {from}, {text}, {id}, {coding}, {validity_minutes}, {dlr_url}, {username}, {password}.");
        if (Method == "GET" && !string.IsNullOrEmpty(BodyTemplate)) problems.Add("A GET request has no body: choose POST or clear the body.");
        if (!string.IsNullOrEmpty(BodyTemplate) && !System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(ContentType, out _))
            problems.Add("The content type is a media type such as application/json.");
        if (Headers.Any(h => string.IsNullOrWhiteSpace(h.Key) || h.Key.Any(c => c <= ' ' || c == ':') || h.Value.Contains('\n') || h.Value.Contains('\r')))
            problems.Add("Header names have no spaces or colons, and values are one line.");
        if (TimeoutSeconds is < 1 or > 300) problems.Add("The timeout is 1 to 300 seconds.");
        if (SuccessStatusCodes.Count == 0 || SuccessStatusCodes.Any(c => c is < 200 or > 299)) problems.Add("Success codes are 200 to 299.");
        if (!IsRegex(MessageIdRegex) || !IsRegex(ErrorRegex)) problems.Add("The message id and error expressions must be valid regular expressions.");
        if (!JsonPathReader.IsValid(MessageIdJsonPath) || !JsonPathReader.IsValid(ErrorJsonPath))
            problems.Add("A JSON path is names separated by dots, with [n] for array items, e.g. messages[0].id.");
        if (FlashParameter.Length > 0 && Flash() is null)
            problems.Add("The flash SMS parameter is name=value, e.g. mclass=0: a name of letters, digits, '_', '-' or '.', and a value.");
        if (string.IsNullOrWhiteSpace(Receipts.StatusField) || (string.IsNullOrWhiteSpace(Receipts.MessageIdField) && string.IsNullOrWhiteSpace(Receipts.ProviderIdField)))
            problems.Add("Receipts need a status field and our message id field or the provider's id field.");
        if (Receipts.StatusMap.Count == 0) problems.Add("Map at least one receipt status value.");
        return problems;
    }

    [GeneratedRegex(@"^([A-Za-z0-9_.-]{1,64})=(.{1,200})$")]
    private static partial Regex FlashPattern();

    /// <summary><see cref="FlashParameter"/> split into its name and value; null when empty or not name=value.</summary>
    public (string Name, string Value)? Flash()
    {
        var match = FlashPattern().Match(FlashParameter.Trim());
        return match.Success ? (match.Groups[1].Value, match.Groups[2].Value) : null;
    }

    private static bool IsRegex(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern)) return true;
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>What a provider's receipt status value means; <see cref="Ignore"/> is a non-final report (Kannel's "buffered").</summary>
public enum HttpReceiptStatus
{
    Ignore = 0,
    Delivered = 1,
    Undeliverable = 2,
    Rejected = 3,
    Expired = 4,
    Unknown = 5,
}

/// <summary>Which query, form or JSON fields of a receipt callback hold what. JSON fields may be dotted paths.</summary>
public sealed record HttpReceiptFields
{
    /// <summary>Our message id, when the provider echoes it (we put it in <c>{dlr_url}</c> as <c>id</c>).</summary>
    public string? MessageIdField { get; init; } = "id";
    /// <summary>The provider's id, as its send answer gave it.</summary>
    public string? ProviderIdField { get; init; } = "message_id";
    public string StatusField { get; init; } = "status";
    public string? ErrorField { get; init; } = "error";
    /// <summary>Provider status value → our status, compared case-insensitively. An unmapped value is a 400.</summary>
    public IReadOnlyDictionary<string, HttpReceiptStatus> StatusMap { get; init; } = new Dictionary<string, HttpReceiptStatus>
    {
        ["delivered"] = HttpReceiptStatus.Delivered,
        ["undeliverable"] = HttpReceiptStatus.Undeliverable,
        ["failed"] = HttpReceiptStatus.Undeliverable,
        ["rejected"] = HttpReceiptStatus.Rejected,
        ["expired"] = HttpReceiptStatus.Expired,
        ["sent"] = HttpReceiptStatus.Ignore,
        ["accepted"] = HttpReceiptStatus.Ignore,
    };
}

/// <summary>Which fields of an inbound SMS callback hold the sender, our number, the text and the provider's id.</summary>
public sealed record HttpInboundFields
{
    public string FromField { get; init; } = "from";
    public string ToField { get; init; } = "to";
    public string TextField { get; init; } = "text";
    public string? IdField { get; init; } = "id";
}
