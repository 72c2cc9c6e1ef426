using System.Globalization;
using Portal.Domain.Alerts;
using Portal.Domain.Common;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Alerts;

namespace Portal.Api;

/// <summary>
/// <c>POST /api/v1/alerts</c> (issue 17): a monitoring system raises an employee alert. The
/// Idempotency-Key header is stored on the alert under a unique index (key id, idempotency key):
/// a retry answers the first alert's id and pages nobody again.
/// </summary>
public static class AlertsApi
{
    public sealed record RaiseAlert(string? Kind, string? Text, int[]? GroupIds, int[]? EmployeeIds, int? ChainId, string? RequiredAcks, int? RequiredCount,
        bool? Flash = null);

    public sealed record AlertAccepted(long Id, bool Replayed, int Recipients);

    public static void MapAlertsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/alerts", RaiseAsync)
            .RequireScope(ApiScopes.AlertsWrite)
            .Produces<AlertAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithTags("Alerts")
            .WithSummary("Raise an employee alert (alarm or informational) to groups, people or an escalation chain")
            .WithDescription("""
                Body: `kind` (`alarm` default, or `informational`), `text`, and `chainId` or `groupIds`/`employeeIds`.
                `requiredAcks`: `one` (default), `all` or `count` with `requiredCount`, per group. `flash`: an alarm goes as a
                flash SMS (class 0) through providers that support it. Send an `Idempotency-Key` header:
                a retry with the same key answers the first alert and sends nothing.
                """);
    }

    private static async Task<IResult> RaiseAsync(HttpContext http, RaiseAlert body, AlertService alerts, CancellationToken ct)
    {
        var keyId = int.Parse(http.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)!.Value, CultureInfo.InvariantCulture);
        string? idempotencyKey = null;
        if (http.Request.Headers.TryGetValue(MessagesApi.IdempotencyHeader, out var header))
        {
            idempotencyKey = header.ToString().Trim();
            if (idempotencyKey.Length is 0 or > 200) return ApiProblems.BadRequest($"The {MessagesApi.IdempotencyHeader} header is 1 to 200 characters.");
        }
        if (string.IsNullOrWhiteSpace(body.Text)) return ApiProblems.BadRequest("The alert needs a text.");
        AlertKind kind;
        switch (body.Kind?.ToLowerInvariant())
        {
            case null or "alarm": kind = AlertKind.Alarm; break;
            case "informational": kind = AlertKind.Informational; break;
            default: return ApiProblems.BadRequest("kind is alarm or informational.");
        }
        RequiredAcks required;
        switch (body.RequiredAcks?.ToLowerInvariant())
        {
            case null or "one": required = RequiredAcks.One; break;
            case "all": required = RequiredAcks.All; break;
            case "count": required = RequiredAcks.Count; break;
            default: return ApiProblems.BadRequest("requiredAcks is one, all or count.");
        }
        if (body.ChainId is null && (body.GroupIds?.Length ?? 0) + (body.EmployeeIds?.Length ?? 0) == 0)
        {
            return ApiProblems.BadRequest("Name a chainId, groupIds or employeeIds.");
        }
        try
        {
            var result = await alerts.RaiseAsync(new AlertRequest(kind, body.Text, body.GroupIds ?? [], body.EmployeeIds ?? [], body.ChainId, required, body.RequiredCount ?? 1,
                    body.Flash ?? false),
                "api:" + keyId.ToString(CultureInfo.InvariantCulture), keyId, idempotencyKey, ct);
            if (result.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
            return Results.Json(new AlertAccepted(result.AlertId, result.Replayed, result.Recipients), statusCode: StatusCodes.Status202Accepted);
        }
        catch (DomainException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }
    }
}
