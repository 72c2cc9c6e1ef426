using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Integrations;

namespace Portal.Api;

/// <summary>
/// Authenticates <c>Authorization: Bearer pk_...</c> or <c>X-Api-Key: pk_...</c>. Only the API's
/// policies name this scheme, so the API ignores the Identity cookie and pages ignore keys.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder, ApiKeyService keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string KeyIdClaim = "api_key_id";
    public const string RateClaim = "api_key_rpm";
    public const string QuotaClaim = "api_key_daily_quota";
    public const string ScopeClaim = "scope";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Presented(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }
        var check = await keys.CheckAsync(presented, Context.RequestAborted);
        if (check.Key is not { } key)
        {
            Logger.LogInformation("API key refused: {Reason}", check.Failure);
            return AuthenticateResult.Fail(check.Failure!);
        }
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, $"api-key:{key.Prefix} ({key.Name})"),
            new Claim(KeyIdClaim, key.Id.ToString()),
            new Claim(RateClaim, key.RequestsPerMinute.ToString()),
            .. key.DailyQuota is { } quota ? [new Claim(QuotaClaim, quota.ToString(System.Globalization.CultureInfo.InvariantCulture))] : Array.Empty<Claim>(),
            .. key.Scopes.Select(s => new Claim(ScopeClaim, s)),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var detail = result.Failure?.Message
                     ?? $"An API key is required: send 'Authorization: Bearer pk_...' or '{HeaderName}: pk_...'.";
        Response.Headers.WWWAuthenticate = "Bearer";
        await ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var scope = Context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>()?.Scope;
        var detail = scope is null ? "This API key may not do this." : $"This API key lacks the scope '{scope}'.";
        await ApiProblems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden", detail);
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var header) && !string.IsNullOrWhiteSpace(header))
        {
            return header.ToString().Trim();
        }
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }
}

/// <summary>Endpoint metadata: the scope its policy requires, so a 403 can name it.</summary>
public sealed record RequiredScope(string Scope)
{
    public static string PolicyName(string scope) => "api:" + scope;
}
