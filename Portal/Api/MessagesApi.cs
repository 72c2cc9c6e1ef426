using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.MessagesApi;
using Portal.Infrastructure.Persistence;

namespace Portal.Api;

/// <summary>
/// <c>/api/v1/messages</c> (issue 19, ADR 0010): other systems send service (or advertising)
/// messages through the priority lane and read their status. A batch is all-or-nothing on
/// validation errors (400 naming every bad item and field, nothing sent); recipients who opted
/// out, have no consent or are unknown are refused per item in the 202 (422 when all are).
/// </summary>
public static class MessagesApi
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static void MapMessagesApi(this RouteGroupBuilder api)
    {
        api.MapPost("/messages", SendAsync)
            .RequireScope(ApiScopes.MessagesSend)
            .Accepts<SendMessage[]>("application/json")
            .Produces<MessageSubmission.SendResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithTags("Messages")
            .WithSummary("Send one message or a batch of up to 1,000 on the priority lane")
            .WithDescription("""
                Body: one message object or an array of them. Each names the recipient by `phone` (E.164 or national)
                or `externalId`, and gives either `text` or `templateId` with `variables` (the template's `attr.x` fields).
                `purpose` is `service` (default) or `advertising` (needs the client's advertising consent). Optional:
                `senderId`, `providerId`, `validityMinutes` (1 to 4,320). Send an `Idempotency-Key` header: a retry with the
                same key and body answers the first answer again and sends nothing (keys are kept 48 h). 202 lists each
                item's message id, or its refusal (opted-out, no-consent, inactive, unknown-client). Any invalid item makes
                the whole request a 400 naming each item index and field; nothing is sent.
                """);
        api.MapGet("/messages/{id:long}", GetAsync)
            .RequireScope(ApiScopes.MessagesSend)
            .Produces<MessageState>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithTags("Messages")
            .WithSummary("A message this key sent: status, parts, cost, error");
    }

    /// <summary>One message of the request body (for the OpenAPI document; the body is read by hand to name errors).</summary>
    public sealed record SendMessage(string? Phone, string? ExternalId, string? Text, int? TemplateId, Dictionary<string, string>? Variables,
        string? Purpose, string? SenderId, int? ProviderId, int? ValidityMinutes);

    public sealed record MessageState(long Id, string Status, int Parts, decimal Cost, string? Error, string? Provider,
        DateTime CreatedAt, DateTime? SubmittedAt, DateTime? DoneAt);

    private static async Task<IResult> SendAsync(HttpContext http, MessageSubmission submission, IOptions<MessagesApiOptions> options, CancellationToken ct)
    {
        var request = http.Request;
        var keyId = int.Parse(http.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)!.Value, CultureInfo.InvariantCulture);
        int? quota = int.TryParse(http.User.FindFirst(ApiKeyAuthenticationHandler.QuotaClaim)?.Value, CultureInfo.InvariantCulture, out var q) ? q : null;
        string? idempotencyKey = null;
        if (request.Headers.TryGetValue(IdempotencyHeader, out var header))
        {
            idempotencyKey = header.ToString().Trim();
            if (idempotencyKey.Length is 0 or > 200)
            {
                return ApiProblems.BadRequest($"The {IdempotencyHeader} header is 1 to 200 characters.");
            }
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        var hash = Convert.ToHexString(SHA256.HashData(body.Span));
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            return ApiProblems.BadRequest($"The request body is not valid JSON{where}.");
        }
        var errors = new List<BatchItemError>();
        var items = new List<SendItem>();
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                if (ApiBatch.CheckSize(root, options.Value.MaxBatch) is { } tooBig) return tooBig;
                var index = 0;
                foreach (var item in root.EnumerateArray())
                {
                    if (Read(index++, item, errors, options.Value) is { } read) items.Add(read);
                }
            }
            else if (root.ValueKind == JsonValueKind.Object)
            {
                if (Read(0, root, errors, options.Value) is { } read) items.Add(read);
            }
            else
            {
                return ApiProblems.BadRequest("The request body must be a message object or an array of them.");
            }
        }
        var result = await submission.SubmitAsync(keyId, quota, items, idempotencyKey, hash, ct, errors);
        switch (result)
        {
            case SubmitResult.Accepted accepted:
                if (accepted.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
                return Results.Text(accepted.Json, "application/json", statusCode: StatusCodes.Status202Accepted);
            case SubmitResult.Invalid invalid:
                return Invalid(invalid.Errors);
            case SubmitResult.AllRefused refused:
                return ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "Recipients refused",
                    $"All {refused.Items.Count} recipients were refused; nothing was sent.",
                    new Dictionary<string, object?> { ["refused"] = refused.Items.Select(r => new { index = r.Index, reason = r.Reason, detail = r.Detail }).ToList() });
            case SubmitResult.QuotaExceeded exceeded:
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(exceeded.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return ApiProblems.Problem(StatusCodes.Status429TooManyRequests, "Daily quota exhausted",
                    $"This API key may send {exceeded.Quota:N0} messages per UTC day; nothing of this request was sent.");
            case SubmitResult.KeyReused:
                return ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "Idempotency key reused",
                    $"The {IdempotencyHeader} was used before with a different body; nothing was sent.");
            default:
                throw new InvalidOperationException("Unknown submit result.");
        }
    }

    private static IResult Invalid(IReadOnlyList<BatchItemError> errors) =>
        ApiProblems.Problem(StatusCodes.Status400BadRequest, "Invalid messages",
            $"{errors.Select(e => e.Index).Distinct().Count()} item(s) are invalid; nothing was sent.",
            new Dictionary<string, object?> { ["errors"] = errors.Select(e => new { index = e.Index, field = e.Field, reason = e.Reason }).ToList() });

    private static SendItem? Read(int index, JsonElement item, List<BatchItemError> errors, MessagesApiOptions o)
    {
        var r = new JsonItemReader(index, item, errors).Begin();
        if (!r.IsObject) return null;
        string? phone = null, externalId = null, text = null, senderId = null;
        int? templateId = null, providerId = null;
        TimeSpan? validity = null;
        var purpose = MessagePurpose.Service;
        Dictionary<string, string>? variables = null;
        r.Text("phone", 40, v => phone = v);
        r.Text("externalId", 64, v => externalId = v);
        if (phone is not null)
        {
            if (PhoneNumber.TryParse(phone, out var parsed, out var error)) phone = parsed.Value;
            else r.Fail("phone", error ?? $"'{phone}' is not a valid phone number.");
        }
        if ((phone is null) == (externalId is null) && !r.Failed) r.Fail("phone", "Give either phone or externalId.");
        var hasText = r.Has("text", out var textValue);
        var hasTemplate = r.Has("templateId", out var t);
        if (hasText == hasTemplate) r.Fail("text", "Give either text or templateId.");
        if (hasText)
        {
            if (textValue.ValueKind != JsonValueKind.String) r.Fail("text", "Expected a string.");
            else text = textValue.GetString();
        }
        if (hasTemplate)
        {
            if (t.ValueKind == JsonValueKind.Number && t.TryGetInt32(out var id) && id > 0) templateId = id;
            else r.Fail("templateId", "Expected a template id (a positive whole number).");
        }
        if (text is not null && text.Length > Portal.Domain.Messages.PriorityMessage.MaxTextLength)
        {
            r.Fail("text", $"The text is {text.Length} characters; at most {Portal.Domain.Messages.PriorityMessage.MaxTextLength} (10 SMS parts).");
        }
        if (r.Has("variables", out var vars))
        {
            if (vars.ValueKind != JsonValueKind.Object)
            {
                r.Fail("variables", "Expected an object of names to strings.");
            }
            else
            {
                variables = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var p in vars.EnumerateObject())
                {
                    if (p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number) variables[p.Name] = p.Value.ToString();
                    else r.Fail("variables." + p.Name, "Expected a string or a number.");
                }
            }
        }
        if (r.Has("purpose", out _)) r.Enum<MessagePurpose>("purpose", p => purpose = p);
        r.Text("senderId", 16, v => senderId = v);
        if (senderId is not null && !ValidSender(senderId))
        {
            r.Fail("senderId", "A sender id is 1 to 11 letters, digits, spaces, '.', '-' or '_', or a number of at most 15 digits.");
        }
        if (r.Has("providerId", out var prov))
        {
            if (prov.ValueKind == JsonValueKind.Number && prov.TryGetInt32(out var id) && id > 0) providerId = id;
            else r.Fail("providerId", "Expected a provider id (a positive whole number).");
        }
        if (r.Has("validityMinutes", out var val))
        {
            if (val.ValueKind == JsonValueKind.Number && val.TryGetInt32(out var minutes) && minutes >= 1 && TimeSpan.FromMinutes(minutes) <= o.MaxValidity) validity = TimeSpan.FromMinutes(minutes);
            else r.Fail("validityMinutes", $"Expected whole minutes from 1 to {o.MaxValidity.TotalMinutes:0}.");
        }
        r.RejectUnknownFields();
        return r.Failed ? null : new SendItem(index, phone, externalId, text, templateId, variables, purpose, senderId, providerId, validity);
    }

    /// <summary>SMPP source addresses: alphanumeric up to 11 characters (TON 5), numeric up to 15 digits.</summary>
    private static bool ValidSender(string s) =>
        s.All(char.IsAsciiDigit) ? s.Length is >= 1 and <= 15
            : s.Length is >= 1 and <= 11 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '.' or '-' or '_');

    private static async Task<IResult> GetAsync(long id, HttpContext http, IDbContextFactory<PortalDbContext> contexts, CancellationToken ct)
    {
        var keyId = int.Parse(http.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)!.Value, CultureInfo.InvariantCulture);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var state = await db.PriorityMessages.AsNoTracking()
            .Where(p => p.MessageId == id && p.ApiKeyId == keyId)
            .Join(db.Messages.AsNoTracking(), p => p.MessageId, m => m.Id, (p, m) => m)
            .Select(m => new
            {
                m.Id, m.Status, m.Parts, m.Cost, m.ErrorCode, m.CreatedAt, m.SubmittedAt, m.DoneAt,
                Provider = db.Providers.Where(p => p.Id == m.ProviderId).Select(p => p.Name).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(ct);
        // Another key's message is "not found" too: ids must not reveal other integrations' traffic.
        if (state is null) return ApiProblems.NotFound($"This key sent no message {id}.");
        return Results.Ok(new MessageState(state.Id, MessagesApiJson.StatusName(state.Status), state.Parts, state.Cost, state.ErrorCode, state.Provider,
            Utc(state.CreatedAt), state.SubmittedAt is { } s ? Utc(s) : null, state.DoneAt is { } d ? Utc(d) : null));
    }

    private static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);
}
