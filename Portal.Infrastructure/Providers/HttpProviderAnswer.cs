using System.Net;
using System.Text.RegularExpressions;
using Portal.Domain.Messages;

namespace Portal.Infrastructure.Providers;

/// <summary>
/// Turns an HTTP provider's answer into a <see cref="SendResult"/>. The line between "refused"
/// and "maybe sent" decides whether a message may be sent again elsewhere, so it is drawn on
/// what the code proves: a listed success code is accepted; 401/403/407/408/429 and 503 say the
/// gateway did not take it (not sent, safe to retry elsewhere: a wrong password or a full queue is
/// not the message's fault); any other 4xx is the message's own fault (rejected for good); 500,
/// 502, 504 and the rest may come after the message was queued, or from a proxy that passed it
/// on (uncertain: never re-sent, so never doubled).
/// </summary>
public static class HttpProviderAnswer
{
    public const int MaxErrorCodeLength = 32;

    public static SendResult Read(HttpStatusCode status, string body, HttpProviderSettings settings, int parts)
    {
        var code = (int)status;
        if (settings.SuccessStatusCodes.Contains(code))
        {
            var id = Extract(body, settings.MessageIdJsonPath, settings.MessageIdRegex);
            return new SendResult(MessageStatus.Submitted, id is { Length: > 0 and <= 64 } ? id : null, parts, null);
        }
        var error = ErrorCode(code, Extract(body, settings.ErrorJsonPath, settings.ErrorRegex));
        return code switch
        {
            // 429 is the gateway's "slow down": throttled, so it never opens the circuit (issue 12).
            429 => new SendResult(MessageStatus.Rejected, null, 0, error, NotSent: true) { Throttled = true },
            401 or 403 or 407 or 408 or 503 => new SendResult(MessageStatus.Rejected, null, 0, error, NotSent: true),
            >= 400 and < 500 => new SendResult(MessageStatus.Rejected, null, 0, error),
            // 5xx, or a 2xx/3xx that is not a listed success: we cannot tell what happened.
            _ => new SendResult(MessageStatus.Uncertain, null, 0, error),
        };
    }

    /// <summary><c>http:400:Invalid number</c>, cut to the column's 32 characters.</summary>
    public static string ErrorCode(int status, string? error)
    {
        var code = "http:" + status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!string.IsNullOrWhiteSpace(error)) code += ":" + error.Trim().ReplaceLineEndings(" ");
        return code.Length <= MaxErrorCodeLength ? code : code[..MaxErrorCodeLength];
    }

    /// <summary>The JSON path's value, else the regular expression's first group (or whole match), else null.</summary>
    public static string? Extract(string body, string? jsonPath, string? regex)
    {
        if (!string.IsNullOrEmpty(jsonPath) && JsonPathReader.TryRead(body, jsonPath) is { Length: > 0 } fromJson) return fromJson;
        if (string.IsNullOrEmpty(regex)) return null;
        try
        {
            var match = Regex.Match(body, regex, RegexOptions.Multiline, TimeSpan.FromMilliseconds(100));
            if (!match.Success) return null;
            return (match.Groups.Count > 1 && match.Groups[1].Success ? match.Groups[1].Value : match.Value).Trim();
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }
}
