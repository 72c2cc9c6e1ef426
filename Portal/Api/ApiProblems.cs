using System.Text.Json;
using Portal.Infrastructure.Clients;

namespace Portal.Api;

/// <summary>RFC 7807 problem details, the only error shape the API speaks.</summary>
public static class ApiProblems
{
    public const string ContentType = "application/problem+json";

    public static IResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);

    public static IResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    /// <summary>422 naming every bad item: <c>errors: [{index, externalId, field, reason}]</c>.</summary>
    public static IResult InvalidItems(IReadOnlyList<BatchItemError> errors, int itemCount, bool atomic) =>
        Problem(StatusCodes.Status422UnprocessableEntity, "Invalid items",
            atomic
                ? $"{errors.Select(e => e.Index).Distinct().Count()} of {itemCount} items are invalid; with atomic=true nothing was applied."
                : $"All {itemCount} items are invalid; nothing was applied.",
            new Dictionary<string, object?> { ["errors"] = errors.Select(ToJson).ToList() });

    public static object ToJson(BatchItemError e) => new { index = e.Index, externalId = e.ExternalId, field = e.Field, reason = e.Reason };

    /// <summary>For handlers outside endpoints (authentication, rate limiting).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        await context.Response.WriteAsJsonAsync(new { type = TypeOf(status), title, status, detail, correlationId = context.TraceIdentifier },
            (JsonSerializerOptions?)null, ContentType);
    }

    private static string TypeOf(int status) => status switch
    {
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        _ => "about:blank",
    };
}
