using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Portal.Infrastructure.Providers;

/// <summary>How a placeholder's value is written into its surroundings.</summary>
public enum HttpEscaping
{
    /// <summary>A URL or a form body: <see cref="Uri.EscapeDataString(string)"/> (UTF-8 percent-encoding).</summary>
    Url,
    /// <summary>Inside a JSON string literal: escaped without the quotes, so <c>"text": "{text}"</c> stays valid JSON.</summary>
    Json,
    /// <summary>As is (plain-text bodies, headers).</summary>
    None,
}

/// <summary>
/// Expands <c>{name}</c> placeholders of an HTTP provider's URL, body and header templates. The
/// values are escaped for where they land, so a text with quotes, ampersands or line breaks never
/// changes the request's structure (issue 7: "URL-encoded in URLs, JSON-escaped in JSON bodies").
/// </summary>
public static partial class HttpTemplate
{
    public static readonly IReadOnlyList<string> Placeholders =
        ["to", "to_digits", "from", "text", "id", "coding", "validity_minutes", "dlr_url", "username", "password"];

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex PlaceholderPattern();

    public static IEnumerable<string> UnknownPlaceholders(string template) =>
        PlaceholderPattern().Matches(template).Select(m => m.Groups[1].Value).Where(n => !Placeholders.Contains(n)).Distinct();

    public static string Expand(string template, IReadOnlyDictionary<string, string> values, HttpEscaping escaping) =>
        PlaceholderPattern().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var value) ? Escape(value, escaping) : m.Value);

    /// <summary>The escaping a body of <paramref name="contentType"/> needs.</summary>
    public static HttpEscaping EscapingFor(string contentType) =>
        contentType.Contains("json", StringComparison.OrdinalIgnoreCase) ? HttpEscaping.Json
        : contentType.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) ? HttpEscaping.Url
        : HttpEscaping.None;

    private static string Escape(string value, HttpEscaping escaping) => escaping switch
    {
        HttpEscaping.Url => Uri.EscapeDataString(value),
        HttpEscaping.Json => JsonString(value),
        HttpEscaping.None => value,
        _ => throw new ArgumentOutOfRangeException(nameof(escaping)),
    };

    private static string JsonString(string value)
    {
        // The serializer's literal minus its quotes; relaxed so Cyrillic stays readable to the provider.
        var literal = JsonSerializer.Serialize(value, JsonOptions);
        return literal[1..^1];
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Values for one message; <c>coding</c> is Kannel's 0 (GSM 7-bit) or 2 (UCS-2).</summary>
    public static Dictionary<string, string> ValuesFor(OutgoingSms sms, string username, string password, string dlrUrl)
    {
        var gsm = Domain.Messages.SmsLength.Measure(sms.Text).Alphabet == Domain.Templates.SmsAlphabet.Gsm7;
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["to"] = sms.To,
            ["to_digits"] = sms.To.TrimStart('+'),
            ["from"] = sms.From,
            ["text"] = sms.Text,
            ["id"] = sms.MessageId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["coding"] = gsm ? "0" : "2",
            ["validity_minutes"] = sms.Validity is { } v ? Math.Max(1, (int)Math.Ceiling(v.TotalMinutes)).ToString(System.Globalization.CultureInfo.InvariantCulture) : "",
            ["dlr_url"] = dlrUrl,
            ["username"] = username,
            ["password"] = password,
        };
    }

    /// <summary><paramref name="text"/> (a URL or a form body) with <c>name=value</c> appended, both URL-encoded.</summary>
    public static string WithQueryParameter(string text, string name, string value, string separator) =>
        text + separator + Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value);

    /// <summary>
    /// A JSON object body with one more top-level member (true, false and numbers written as JSON
    /// literals, anything else as a string); null when the body is not a JSON object.
    /// </summary>
    public static string? WithJsonMember(string body, string name, string value)
    {
        System.Text.Json.Nodes.JsonObject? root;
        try
        {
            root = System.Text.Json.Nodes.JsonNode.Parse(body) as System.Text.Json.Nodes.JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
        if (root is null) return null;
        root[name] = value switch
        {
            "true" => System.Text.Json.Nodes.JsonValue.Create(true),
            "false" => System.Text.Json.Nodes.JsonValue.Create(false),
            _ when decimal.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint,
                System.Globalization.CultureInfo.InvariantCulture, out var number) => System.Text.Json.Nodes.JsonValue.Create(number),
            _ => System.Text.Json.Nodes.JsonValue.Create(value),
        };
        return root.ToJsonString(JsonOptions);
    }

    /// <summary>Removes a query parameter whose value expanded empty (<c>&amp;validity=</c>), which some gateways refuse.</summary>
    public static string DropEmptyQueryParameters(string url)
    {
        var q = url.IndexOf('?', StringComparison.Ordinal);
        if (q < 0) return url;
        var kept = url[(q + 1)..].Split('&').Where(p => p.Length > 0 && !p.EndsWith('='));
        var builder = new StringBuilder(url, 0, q + 1, url.Length);
        builder.AppendJoin('&', kept);
        return builder.ToString().TrimEnd('?');
    }
}
