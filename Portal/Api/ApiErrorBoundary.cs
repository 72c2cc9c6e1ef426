using Microsoft.AspNetCore.Authentication;

namespace Portal.Api;

/// <summary>
/// Everything under <c>/api</c> answers RFC 7807 problem details, whatever went wrong (issue 20,
/// item 14): an unhandled exception becomes a 500 with a correlation id and no internals (the
/// exception goes to the log under the same id, never to the client), and routing's own 415 for a
/// body that is not JSON (an empty body, and decided before the key was looked at) becomes a
/// problem too, after the API key is checked, so a caller without a key learns nothing but 401.
/// </summary>
internal static partial class ApiErrorBoundary
{
    public static IApplicationBuilder UseApiErrorBoundary(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            await next(context);
            return;
        }
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.Api");
            Failed(logger, e, context.Request.Method, context.Request.Path.Value ?? "", context.TraceIdentifier);
            context.Response.Clear();
            await ApiProblems.WriteAsync(context, StatusCodes.Status500InternalServerError, "Internal error",
                $"The request failed on the server and nothing more is said here; quote correlation id {context.TraceIdentifier} to the administrator.");
            return;
        }
        if (context.Response.StatusCode == StatusCodes.Status415UnsupportedMediaType && !context.Response.HasStarted
            && context.Request.Path.StartsWithSegments("/api/v1"))
        {
            var key = await context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName);
            if (!key.Succeeded)
            {
                await context.ChallengeAsync(ApiKeyAuthenticationHandler.SchemeName);
                return;
            }
            await ApiProblems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"Send the body as application/json, not '{context.Request.ContentType ?? "nothing"}'.");
        }
    });

    // The path, not the query string or body: neither may carry a phone into the log.
    [LoggerMessage(Level = LogLevel.Error, Message = "API {Method} {Path} failed; correlation id {CorrelationId}")]
    private static partial void Failed(ILogger logger, Exception exception, string method, string path, string correlationId);
}
