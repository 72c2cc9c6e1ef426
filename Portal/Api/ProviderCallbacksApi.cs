using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Messaging;
using Portal.Infrastructure.Providers;
using Portal.Infrastructure.Sending;

namespace Portal.Api;

/// <summary>
/// <c>/api/providers/{id}/receipts</c> and <c>/api/providers/{id}/inbound</c> (issue 7): where HTTP
/// providers report delivery and hand over SMS sent to us, by GET or POST with the fields in the
/// query string, a form or a JSON object (or an array of them). The provider proves itself with
/// its callback secret in the <c>X-Portal-Secret</c> header (never the query string: issue 14), or
/// an HMAC-SHA256 of "timestamp.id.body" in <c>X-Portal-Signature</c> with <c>X-Portal-Timestamp</c>
/// (within 5 minutes) and <c>X-Portal-Callback-Id</c> (seen once: a replay is refused), or, for
/// gateways that can only call a URL (Kannel), a scoped <c>?token=</c> derived from the secret. Nothing is answered 200 before it is on the bus
/// (publisher confirm), and a payload that cannot be read is answered 400 naming the field, so the
/// provider keeps it and retries: a callback is never half taken. Logs carry the provider and the
/// field, never phones, texts or secrets.
/// </summary>
public static class ProviderCallbacksApi
{
    public const string SecretHeader = "X-Portal-Secret";
    public const string SignatureHeader = "X-Portal-Signature";
    public const string SecretParameter = "secret";
    public const string TimestampHeader = "X-Portal-Timestamp";
    public const string CallbackIdHeader = "X-Portal-Callback-Id";
    public const string TokenParameter = "token";
    public const int MaxBodyBytes = 256 * 1024;
    public const int MaxItems = 1000;

    public static WebApplication MapProviderCallbacks(this WebApplication app)
    {
        // Not in the CRM's OpenAPI document: that one promises API-key auth, and providers are configured, not coded against.
        var group = app.MapGroup("/api/providers/{id:int}").DisableAntiforgery().AllowAnonymous().ExcludeFromDescription();
        group.MapMethods("/receipts", ["GET", "POST"], ReceiptsAsync).WithSummary("A delivery receipt from an HTTP provider");
        group.MapMethods("/inbound", ["GET", "POST"], InboundAsync).WithSummary("An SMS a client sent, from an HTTP provider");
        return app;
    }

    private static Task<IResult> ReceiptsAsync(int id, HttpContext context, ProviderCallbacks callbacks, IMessageBus bus, IOptions<SendingOptions> options,
        TimeProvider clock, ILoggerFactory loggers, CancellationToken ct) =>
        HandleAsync(id, context, callbacks, loggers, "receipt", async (provider, payloads) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var items = new List<ReceiptItem>();
            foreach (var fields in payloads)
            {
                var reading = HttpCallbackReader.ReadReceipt(provider.Id, provider.Settings.Receipts, fields, now);
                if (reading.Problem is { } problem) return problem;
                if (reading.Item is { } item) items.Add(item);
            }
            if (items.Count > 0) await bus.PublishAsync(options.Value.ReceiptQueue, new ReceiptBatch(items), ct);
            return null;
        }, ct);

    private static Task<IResult> InboundAsync(int id, HttpContext context, ProviderCallbacks callbacks, IMessageBus bus, IOptions<SendingOptions> options,
        TimeProvider clock, ILoggerFactory loggers, CancellationToken ct) =>
        HandleAsync(id, context, callbacks, loggers, "inbound", async (provider, payloads) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var messages = new List<InboundSms>();
            foreach (var fields in payloads)
            {
                var reading = HttpCallbackReader.ReadInbound(provider.Id, provider.Settings.Inbound, fields, now);
                if (reading.Problem is { } problem) return problem;
                messages.Add(reading.Sms!);
            }
            foreach (var sms in messages) await bus.PublishAsync(options.Value.InboundQueue, sms, ct);
            return null;
        }, ct);

    /// <summary>Reads, authenticates and parses; <paramref name="apply"/> validates every item before taking any (all or nothing).</summary>
    private static async Task<IResult> HandleAsync(int id, HttpContext context, ProviderCallbacks callbacks, ILoggerFactory loggers, string kind,
        Func<CallbackProvider, IReadOnlyList<IReadOnlyDictionary<string, string>>, Task<CallbackProblem?>> apply, CancellationToken ct)
    {
        var logger = loggers.CreateLogger(typeof(ProviderCallbacksApi).FullName!);
        var request = context.Request;
        var body = await ReadBodyAsync(request, ct);
        if (body is null)
        {
            return ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"A callback is at most {MaxBodyBytes / 1024} KB.");
        }
        var provider = await callbacks.FindAsync(id, ct);
        if (provider is null)
        {
            return ApiProblems.NotFound($"There is no HTTP provider {id.ToString(CultureInfo.InvariantCulture)}.");
        }
        if (request.Query.ContainsKey(SecretParameter))
        {
            // The secret is now in the gateway's and every proxy's access log: refuse, so the
            // provider is reconfigured (and the secret rotated) rather than silently accepted.
            logger.LogWarning("Provider {ProviderId} {Kind} callback refused: secret in the query string", id, kind);
            return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
                $"The callback secret is accepted in the {SecretHeader} header only, never in the URL. Rotate the secret if it was sent in URLs.");
        }
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var callbackId = request.Headers[CallbackIdHeader].FirstOrDefault();
        var authentication = ProviderCallbacks.Authenticate(provider.Secret, request.Headers[SecretHeader].FirstOrDefault(),
            request.Headers[SignatureHeader].FirstOrDefault(), request.Headers[TimestampHeader].FirstOrDefault(), callbackId, body, now);
        if (authentication == CallbackAuthentication.None && body.Length == 0 && request.Query[TokenParameter].FirstOrDefault() is { } token)
        {
            var scope = kind == "receipt"
                ? ProviderCallbacks.ReceiptScope(provider.Id, request.Query[provider.Settings.Receipts.MessageIdField ?? "id"].FirstOrDefault() ?? "")
                : ProviderCallbacks.InboundScope(provider.Id);
            if (ProviderCallbacks.CheckUrlToken(provider.Secret, token, scope)) authentication = CallbackAuthentication.UrlToken;
        }
        if (authentication == CallbackAuthentication.None)
        {
            logger.LogWarning("Provider {ProviderId} {Kind} callback refused: not authenticated", id, kind);
            return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
                $"Send the provider's callback secret in the {SecretHeader} header, or sign \"timestamp.id.body\" with HMAC-SHA256 in {SignatureHeader} (hex) " +
                $"with {TimestampHeader} (Unix seconds, within 5 minutes) and {CallbackIdHeader}.");
        }
        if (authentication == CallbackAuthentication.Signature && !await FirstTimeAsync(context, provider.Id, callbackId!, now.UtcDateTime, ct))
        {
            logger.LogWarning("Provider {ProviderId} {Kind} callback refused: replayed callback id", id, kind);
            return ApiProblems.Problem(StatusCodes.Status409Conflict, "Replayed", $"This {CallbackIdHeader} was already received; each signed callback needs a new id.");
        }
        // A signature vouches for the body only: unsigned query fields must not ride along with it.
        var (payloads, parseProblem) = Payloads(request, body, withQuery: authentication is CallbackAuthentication.Secret or CallbackAuthentication.UrlToken);
        CallbackProblem? problem;
        try
        {
            problem = parseProblem ?? await apply(provider, payloads);
        }
        catch (MessagePublishException e)
        {
            logger.LogWarning("Provider {ProviderId} {Kind} callback not taken, the bus refused it: {Error}", id, kind, e.Message);
            return ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "Try again", "The callback could not be stored just now; send it again.");
        }
        if (problem is not null)
        {
            logger.LogWarning("Provider {ProviderId} {Kind} callback refused: field {Field}", id, kind, problem.Field);
            return ApiProblems.Problem(StatusCodes.Status400BadRequest, "Bad callback", $"{problem.Field}: {problem.Reason} Nothing was taken; send it again once fixed.",
                new Dictionary<string, object?> { ["field"] = problem.Field });
        }
        return Results.Ok(new { accepted = payloads.Count });
    }

    /// <summary>
    /// Records a signed callback's id; false when it was already there. The primary key decides,
    /// so two nodes receiving the same replay at once cannot both take it.
    /// </summary>
    private static async Task<bool> FirstTimeAsync(HttpContext context, int providerId, string callbackId, DateTime now, CancellationToken ct)
    {
        var contexts = context.RequestServices.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Portal.Infrastructure.Persistence.PortalDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.CallbackNonces.Add(new CallbackNonce(providerId, callbackId, now));
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (Microsoft.EntityFrameworkCore.DbUpdateException)
        {
            return false;
        }
    }

    /// <summary>The raw body (the HMAC is over these exact bytes), or null when it is too large.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// One field set per item: the query string (without the secret; none when signed) merged under
    /// each form or JSON item, so a provider may put some fields in the URL (our id in a dlr-url) and
    /// the rest in the body.
    /// </summary>
    private static (IReadOnlyList<IReadOnlyDictionary<string, string>>, CallbackProblem?) Payloads(HttpRequest request, byte[] body, bool withQuery)
    {
        var query = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in withQuery ? request.Query : (IQueryCollection)QueryCollection.Empty)
        {
            if (!string.Equals(key, SecretParameter, StringComparison.OrdinalIgnoreCase) && !string.Equals(key, TokenParameter, StringComparison.OrdinalIgnoreCase))
                query[key] = value.ToString();
        }
        if (body.Length == 0) return ([query], null);
        var contentType = request.ContentType ?? "";
        if (contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object) return ([Merge(query, root)], null);
                if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() is 0 or > MaxItems || root.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Object))
                {
                    return ([], new CallbackProblem("body", $"A JSON object, or an array of 1 to {MaxItems} objects."));
                }
                return (root.EnumerateArray().Select(e => (IReadOnlyDictionary<string, string>)Merge(query, e)).ToList(), null);
            }
            catch (JsonException)
            {
                return ([], new CallbackProblem("body", "Not valid JSON."));
            }
        }
        if (contentType.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
            foreach (var (key, value) in form) query[key] = value.ToString();
            return ([query], null);
        }
        return ([], new CallbackProblem("body", "Send the fields as a query string, a form (application/x-www-form-urlencoded) or JSON (application/json)."));
    }

    private static Dictionary<string, string> Merge(Dictionary<string, string> query, JsonElement item)
    {
        var fields = new Dictionary<string, string>(query, StringComparer.OrdinalIgnoreCase);
        HttpCallbackReader.AddJson(item, fields);
        return fields;
    }
}
