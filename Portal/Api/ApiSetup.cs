using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Integrations;

namespace Portal.Api;

/// <summary>The CRM's REST API under <c>/api/v1</c> (issue 4, item 3): keys, scopes, rate limits, OpenAPI.</summary>
public static class ApiSetup
{
    public const string RateLimitPolicy = "api-key";
    public const string DocumentName = "v1";

    public static WebApplicationBuilder AddPortalApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(o =>
        {
            foreach (var scope in ApiScopes.All)
            {
                o.AddPolicy(RequiredScope.PolicyName(scope), p => p
                    .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                    .RequireAuthenticatedUser()
                    .RequireClaim(ApiKeyAuthenticationHandler.ScopeClaim, scope));
            }
        });

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(RateLimitPolicy, context =>
            {
                var user = context.User;
                var keyId = user.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)?.Value;
                if (keyId is null || !int.TryParse(user.FindFirst(ApiKeyAuthenticationHandler.RateClaim)?.Value, out var perMinute))
                {
                    return RateLimitPartition.GetNoLimiter("anonymous");
                }
                // The limit is part of the partition so a changed limit takes effect at once.
                return RateLimitPartition.GetFixedWindowLimiter($"{keyId}:{perMinute}", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = perMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"This API key's rate limit is exhausted; retry in {seconds} s.");
            };
        });

        services.AddOpenApi(DocumentName, o =>
        {
            o.AddSchemaTransformer(PartialUpdateSchemas.TransformAsync);
            o.AddOperationTransformer(AnalyticsApi.TransformAsync);
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Portal CRM API",
                    Version = "v1",
                    Description = "Clients, consents and events from the company's systems. Errors are RFC 7807 problem details.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "pk_<prefix>_<secret>",
                    Description = $"An API key created under Administration → API keys, as 'Authorization: Bearer pk_...' (or the '{ApiKeyAuthenticationHandler.HeaderName}' header).",
                };
                document.Security ??= [];
                document.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [],
                });
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>Maps the API. Call after the status-code pages so the API can opt out of them.</summary>
    public static WebApplication MapPortalApi(this WebApplication app)
    {
        // API errors carry their own problem body; an HTML "not found" page would only confuse a client.
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api") && context.Features.Get<IStatusCodePagesFeature>() is { } pages)
            {
                pages.Enabled = false;
            }
            return next(context);
        });
        app.UseApiErrorBoundary();
        app.UseRateLimiter();

        var api = app.MapGroup("/api/v1").RequireRateLimiting(RateLimitPolicy).WithTags("CRM").DisableAntiforgery();
        api.MapClientsApi();
        api.MapConsentsApi();
        api.MapEventsApi();
        api.MapAnalyticsApi();
        api.MapMessagesApi();
        api.MapAlertsApi();
        // Providers' receipts and inbound SMS: their own authentication (callback secret or HMAC), no API key.
        app.MapProviderCallbacks();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        return app;
    }

    /// <summary>Requires an API key with <paramref name="scope"/>; the scope is also recorded so a 403 can name it.</summary>
    /// <remarks>
    /// Every keyed endpoint can also answer 401 (no or bad key), 403 (scope), 413 (body too large),
    /// 415 (not JSON) and 429 (rate limit): listed here once so the OpenAPI document shows them all.
    /// </remarks>
    public static RouteHandlerBuilder RequireScope(this RouteHandlerBuilder endpoint, string scope) =>
        endpoint.RequireAuthorization(RequiredScope.PolicyName(scope)).WithMetadata(new RequiredScope(scope))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
}
