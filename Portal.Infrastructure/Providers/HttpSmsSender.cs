using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Portal.Domain.Messages;
using Portal.Infrastructure.Smpp.Esme;

namespace Portal.Infrastructure.Providers;

/// <summary>
/// The runtime form of one HTTP provider: its settings plus what the row keeps apart (password,
/// callback secret) and whether it is ticked as delivering flash SMS.
/// </summary>
public sealed record HttpSenderOptions(int ProviderId, string Name, HttpProviderSettings Settings, string Password, string? CallbackSecret,
    int? MaxPartsPerSecond, string CallbackBaseUrl, bool SupportsFlash = false);

/// <summary>
/// Sends one SMS per HTTP request to a provider shaped by <see cref="HttpProviderSettings"/>
/// (the generic adapter, or Kannel's sendsms). Every provider shares the one pooled
/// <see cref="HttpClient"/> of the factory (its request logging removed: URLs carry phones, texts
/// and passwords); each request has the provider's own timeout. Like <see cref="SmppSmsSender"/>
/// it never throws for a provider's failure: the outcome is a <see cref="SendResult"/>, uncertain
/// whenever the request may have reached the provider.
/// </summary>
internal sealed class HttpSmsSender(HttpClient http, HttpSenderOptions options, ILogger logger, HttpSenderStatistics? statistics = null) : ISmsSender
{
    private const int MaxAnswerBytes = 64 * 1024;
    private readonly TpsLimiter? _tps = options.MaxPartsPerSecond is { } tps ? new TpsLimiter(tps) : null;

    public HttpSenderOptions Options => options;

    /// <summary>What this sender did since it was built, for the live dashboard (issue 12: HTTP providers are on it too).</summary>
    /// <remarks>Handed on when the sender is rebuilt for new settings, so the totals never go backwards.</remarks>
    public HttpSenderStatistics Statistics { get; } = statistics ?? new();

    public async Task<SendResult> SendAsync(OutgoingSms sms, CancellationToken ct)
    {
        var parts = SmsLength.Measure(sms.Text).Parts;
        if (_tps is not null)
        {
            for (var i = 0; i < parts; i++) await _tps.WaitAsync(ct);
        }
        Statistics.Started(parts);
        SendResult? result = null;
        try
        {
            result = await ExchangeAsync(sms, parts, ct);
            return result;
        }
        finally
        {
            Statistics.Finished(parts, result);
        }
    }

    private async Task<SendResult> ExchangeAsync(OutgoingSms sms, int parts, CancellationToken ct)
    {
        var settings = options.Settings;
        using var request = BuildRequest(sms);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var body = await ReadBoundedAsync(response.Content, timeout.Token);
            var result = HttpProviderAnswer.Read(response.StatusCode, body, settings, parts);
            if (result.Status != MessageStatus.Submitted)
            {
                logger.LogWarning("HTTP provider {Provider} answered {Status} for message {MessageId}: {Outcome}",
                    options.Name, (int)response.StatusCode, sms.MessageId, result.NotSent ? "not sent" : result.Status.ToString());
            }
            return result;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("HTTP provider {Provider} did not answer message {MessageId} within {Seconds} s", options.Name, sms.MessageId, settings.TimeoutSeconds);
            return new SendResult(MessageStatus.Uncertain, null, 0, "http:timeout");
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError)
        {
            // No connection, so no request: certainly not accepted.
            logger.LogWarning("HTTP provider {Provider} cannot be reached: {Error}", options.Name, e.HttpRequestError);
            return new SendResult(MessageStatus.Rejected, null, 0, "http:connect", NotSent: true);
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning("HTTP provider {Provider}: the exchange for message {MessageId} broke off ({Error})", options.Name, sms.MessageId, e.HttpRequestError);
            return new SendResult(MessageStatus.Uncertain, null, 0, "http:io");
        }
    }

    internal HttpRequestMessage BuildRequest(OutgoingSms sms)
    {
        var s = options.Settings;
        var values = HttpTemplate.ValuesFor(sms, s.Username, options.Password, DlrUrl(sms.MessageId));
        var url = HttpTemplate.DropEmptyQueryParameters(HttpTemplate.Expand(s.UrlTemplate, values, HttpEscaping.Url));
        string? body = null;
        var escaping = HttpTemplate.EscapingFor(s.ContentType);
        if (s.Method != "GET" && !string.IsNullOrEmpty(s.BodyTemplate)) body = HttpTemplate.Expand(s.BodyTemplate, values, escaping);
        // Issue 17: a flash alarm asks for class 0 only where the provider is ticked for it and names its field.
        if (sms.Flash && options.SupportsFlash && s.Flash() is { } flash)
        {
            if (body is not null && escaping == HttpEscaping.Json && HttpTemplate.WithJsonMember(body, flash.Name, flash.Value) is { } json) body = json;
            else if (body is not null && escaping == HttpEscaping.Url) body = HttpTemplate.WithQueryParameter(body, flash.Name, flash.Value, separator: body.Length == 0 ? "" : "&");
            else url = HttpTemplate.WithQueryParameter(url, flash.Name, flash.Value, separator: url.Contains('?', StringComparison.Ordinal) ? "&" : "?");
        }
        var request = new HttpRequestMessage(s.Method == "GET" ? HttpMethod.Get : HttpMethod.Post, url);
        if (body is not null)
        {
            var content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(s.ContentType);
            if (content.Headers.ContentType.CharSet is null) content.Headers.ContentType.CharSet = "utf-8";
            request.Content = content;
        }
        foreach (var (name, value) in s.Headers)
        {
            var expanded = HttpTemplate.Expand(value, values, HttpEscaping.None);
            if (!request.Headers.TryAddWithoutValidation(name, expanded)) request.Content?.Headers.TryAddWithoutValidation(name, expanded);
        }
        return request;
    }

    /// <summary>
    /// Where the provider reports this message's fate: our receipts endpoint with our id (so no
    /// lookup by the provider's id is needed), a token for this receipt when the provider cannot sign, and the
    /// preset's own escapes (Kannel fills %d, %F, %A before calling).
    /// </summary>
    internal string DlrUrl(long messageId)
    {
        var url = new StringBuilder(options.CallbackBaseUrl.TrimEnd('/'))
            .Append(CultureInfo.InvariantCulture, $"/api/providers/{options.ProviderId}/receipts?id={messageId}");
        // Never the secret itself in a URL (issue 14): a token good for this message's receipt only.
        if (options.Settings.DlrUrlCarriesSecret && options.CallbackSecret is { Length: > 0 } secret)
            url.Append("&token=").Append(ProviderCallbacks.UrlToken(secret, ProviderCallbacks.ReceiptScope(options.ProviderId, messageId.ToString(CultureInfo.InvariantCulture))));
        if (options.Settings.DlrUrlQuery is { Length: > 0 } extra) url.Append('&').Append(extra.TrimStart('&', '?'));
        return url.ToString();
    }

    private static async Task<string> ReadBoundedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxAnswerBytes];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct)) > 0) read += n;
        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}

/// <summary>
/// An HTTP provider's counters on this node, in parts as the SMPP connector counts submit_sm: every
/// part handed to the provider, those refused or left uncertain (errors), those answered 429 (throttled),
/// and the requests waiting for an answer. Totals since the sender was built; the dashboard makes rates.
/// </summary>
public sealed class HttpSenderStatistics
{
    private long _submitted;
    private long _errors;
    private long _throttled;
    private int _inFlight;

    public long Submitted => Interlocked.Read(ref _submitted);
    public long Errors => Interlocked.Read(ref _errors);
    public long Throttled => Interlocked.Read(ref _throttled);
    public int InFlight => Volatile.Read(ref _inFlight);

    internal void Started(int parts)
    {
        Interlocked.Add(ref _submitted, parts);
        Interlocked.Increment(ref _inFlight);
    }

    /// <param name="result">Null when the caller gave up (cancelled): neither an error nor a throttle.</param>
    internal void Finished(int parts, SendResult? result)
    {
        Interlocked.Decrement(ref _inFlight);
        if (result is null || result.Status == MessageStatus.Submitted) return;
        if (result.Throttled) Interlocked.Add(ref _throttled, parts);
        else Interlocked.Add(ref _errors, parts);
    }
}
