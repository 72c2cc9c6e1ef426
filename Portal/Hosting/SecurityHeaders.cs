using System.Security.Cryptography;
using Portal.Identity;

namespace Portal.Hosting;

/// <summary>
/// Issue 14 (ASVS V3.4): the response headers of every answer. The CSP allows scripts only from
/// Portal itself plus the one inline import map Blazor writes (by a per-request nonce); styles
/// may be inline because MudBlazor writes its theme as a style element and style attributes.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceItem = "portal:csp-nonce";

    /// <summary>The nonce of this request's CSP, for the few inline scripts the framework renders.</summary>
    public static string CspNonce(this HttpContext context) =>
        context.Items[NonceItem] as string ?? "";

    public static string ContentSecurityPolicy(string nonce) =>
        "default-src 'self'; " +
        $"script-src 'self' 'nonce-{nonce}'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; " +
        "font-src 'self' data:; " +
        "connect-src 'self'; " +
        "object-src 'none'; " +
        "base-uri 'self'; " +
        "form-action 'self'; " +
        "frame-ancestors 'self'";

    public static IApplicationBuilder UsePortalSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            // Hex: nothing for HTML attribute encoding to change.
            var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            context.Items[NonceItem] = nonce;
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy(nonce);
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return next(context);
        });

    /// <summary>
    /// A session that must first change its password or enrol an authenticator reaches only the
    /// account pages (and the files they need): every other page, export and the Blazor hub redirect there.
    /// </summary>
    public static IApplicationBuilder UseAccountSetupGate(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.User.Identity?.IsAuthenticated != true || AccountSecurity.PendingSetupPath(context.User) is not { } setup)
            {
                return next(context);
            }
            var path = context.Request.Path;
            var allowed = path.StartsWithSegments("/Account") || path.StartsWithSegments("/_framework") ||
                          path.StartsWithSegments("/_content") || path.StartsWithSegments("/culture") ||
                          path.StartsWithSegments("/health") || path.StartsWithSegments("/api") ||
                          path.StartsWithSegments("/not-found") || path.StartsWithSegments("/Error") ||
                          (!path.StartsWithSegments("/_blazor") && Path.HasExtension(path.Value));
            if (allowed)
            {
                return next(context);
            }
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.Redirect(setup);
                return Task.CompletedTask;
            }
            // With a body, so the status-code pages leave it alone.
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync("Finish setting up your account first.");
        });
}
