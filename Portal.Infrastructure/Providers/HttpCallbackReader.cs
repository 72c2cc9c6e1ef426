using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Domain.Clients;
using Portal.Domain.Messages;

namespace Portal.Infrastructure.Providers;

/// <summary>Why a callback cannot be used, naming the field so the provider's operator can fix it.</summary>
public sealed record CallbackProblem(string Field, string Reason);

/// <summary>A receipt callback read: an item to apply, nothing (a non-final report) or a problem.</summary>
public sealed record ReceiptReading(ReceiptItem? Item, CallbackProblem? Problem)
{
    public bool Ignored => Item is null && Problem is null;
}

/// <summary>An inbound callback read: the SMS, or a problem.</summary>
public sealed record InboundReading(InboundSms? Sms, CallbackProblem? Problem);

/// <summary>
/// Reads provider callbacks through <see cref="HttpReceiptFields"/> / <see cref="HttpInboundFields"/>.
/// The fields come flattened from the query string, a form or a JSON object (nested names
/// dotted, array items as <c>[n]</c>), so one field name works whichever way a provider posts.
/// </summary>
public static partial class HttpCallbackReader
{
    public const int MaxTextLength = 4000;

    /// <summary>Adds a JSON object's leaves to <paramref name="fields"/> (dotted names; numbers and booleans as written).</summary>
    public static void AddJson(JsonElement element, IDictionary<string, string> fields, string prefix = "")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject()) AddJson(property.Value, fields, prefix.Length == 0 ? property.Name : prefix + "." + property.Name);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray()) AddJson(item, fields, string.Create(CultureInfo.InvariantCulture, $"{prefix}[{i++}]"));
                break;
            case JsonValueKind.String:
                fields[prefix] = element.GetString() ?? "";
                break;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                break;
            default:
                fields[prefix] = element.GetRawText();
                break;
        }
    }

    public static ReceiptReading ReadReceipt(int providerId, HttpReceiptFields f, IReadOnlyDictionary<string, string> fields, DateTime now)
    {
        if (!TryGet(fields, f.StatusField, out var statusValue)) return Problem(f.StatusField, "Required: the delivery status.");
        var mapped = f.StatusMap.FirstOrDefault(m => string.Equals(m.Key, statusValue.Trim(), StringComparison.OrdinalIgnoreCase));
        if (mapped.Key is null) return Problem(f.StatusField, "Unknown status value; map it in the provider's receipt settings.");
        long? messageId = null;
        if (f.MessageIdField is { Length: > 0 } idField && TryGet(fields, idField, out var idText))
        {
            if (!long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0) return Problem(idField, "Not a message id (a positive whole number).");
            messageId = id;
        }
        var providerMessageId = f.ProviderIdField is { Length: > 0 } pf && TryGet(fields, pf, out var pid) ? pid.Trim() : "";
        if (providerMessageId.Length > 64) return Problem(f.ProviderIdField!, "The provider's message id is longer than 64 characters.");
        if (messageId is null && providerMessageId.Length == 0)
            return Problem(f.MessageIdField ?? f.ProviderIdField ?? "id", "Required: our message id or the provider's message id.");
        var status = mapped.Value switch
        {
            HttpReceiptStatus.Ignore => (MessageStatus?)null,
            HttpReceiptStatus.Delivered => MessageStatus.Delivered,
            HttpReceiptStatus.Undeliverable => MessageStatus.Undeliverable,
            HttpReceiptStatus.Rejected => MessageStatus.Rejected,
            HttpReceiptStatus.Expired => MessageStatus.Expired,
            HttpReceiptStatus.Unknown => MessageStatus.Unknown,
            _ => throw new ArgumentOutOfRangeException(nameof(f), "Unknown receipt status " + mapped.Value),
        };
        if (status is null) return new ReceiptReading(null, null);
        string? error = null;
        if (status != MessageStatus.Delivered)
        {
            error = f.ErrorField is { Length: > 0 } ef && TryGet(fields, ef, out var e) ? ErrorCodeOf(e) : null;
            error ??= "http:" + Cut(statusValue.Trim(), 27);
        }
        return new ReceiptReading(new ReceiptItem(messageId, providerId, providerMessageId, status.Value, error, now), null);
    }

    public static InboundReading ReadInbound(int providerId, HttpInboundFields f, IReadOnlyDictionary<string, string> fields, DateTime now)
    {
        if (!TryGet(fields, f.FromField, out var from)) return new(null, new(f.FromField, "Required: the sender's phone number."));
        if (!PhoneNumber.TryParse(from, out var phone, out _)) return new(null, new(f.FromField, "Not a phone number."));
        if (!TryGet(fields, f.ToField, out var to)) return new(null, new(f.ToField, "Required: the number or short code the SMS was sent to."));
        if (to.Length > 32) return new(null, new(f.ToField, "At most 32 characters."));
        // An empty text is a real SMS; only a missing field is a problem.
        if (!fields.TryGetValue(f.TextField, out var text)) return new(null, new(f.TextField, "Required: the text (it may be empty)."));
        if (text.Length > MaxTextLength) return new(null, new(f.TextField, "At most 4,000 characters."));
        string? externalId = f.IdField is { Length: > 0 } idf && TryGet(fields, idf, out var id) ? id.Trim() : null;
        if (externalId is { Length: > 64 }) return new(null, new(f.IdField!, "At most 64 characters."));
        return new(new InboundSms(providerId, phone.Value, to.Trim(), text, now, externalId), null);
    }

    [GeneratedRegex(@"\bstat:(\S+).*?\berr:(\S+)", RegexOptions.Singleline)]
    private static partial Regex SmppReceiptText();

    /// <summary>A receipt's error for the 32-character column: an SMPP receipt text becomes <c>stat:err</c> (Kannel's %A), anything else is cut.</summary>
    internal static string? ErrorCodeOf(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var m = SmppReceiptText().Match(text);
        return m.Success ? Cut($"{m.Groups[1].Value}:{m.Groups[2].Value}", 32) : Cut(text.Trim().ReplaceLineEndings(" "), 32);
    }

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..max];

    private static bool TryGet(IReadOnlyDictionary<string, string> fields, string name, out string value)
    {
        if (fields.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v))
        {
            value = v;
            return true;
        }
        value = "";
        return false;
    }

    private static ReceiptReading Problem(string field, string reason) => new(null, new CallbackProblem(field, reason));
}
