using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Portal.Domain.Audit;
using Portal.Identity;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Identity;

namespace Portal.Hosting;

internal static class AccountEndpoints
{
    public static void MapAccountEndpoints(this WebApplication app)
    {
        // Issue 14 (ASVS V7.4.1): only a form of ours signs out (antiforgery), and signing out kills the
        // session on the server too: a new security stamp rejects a copy of the old cookie at its next
        // check (Identity:RevalidationInterval), not merely at its expiry.
        app.MapPost("/Account/Logout", async (HttpContext context, PortalSignInManager signIn, UserManager<PortalUser> users, AuditLog audit) =>
        {
            if (await users.GetUserAsync(context.User) is { } user)
            {
                await users.UpdateSecurityStampAsync(user);
            }
            await audit.WriteAsync(context.User, AuditActions.SignOut);
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("~/Account/Login");
        }).WithMetadata(new RequireAntiforgeryTokenAttribute());

        // The language switch: a cookie read by request localization; the circuit restarts to pick it up.
        app.MapGet("/culture", (HttpContext context, [FromQuery] string culture, [FromQuery] string? redirectUri) =>
        {
            if (WebSetup.Cultures.Any(c => c.Name == culture))
            {
                context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                    CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                    new CookieOptions { MaxAge = TimeSpan.FromDays(365), IsEssential = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps });
            }
            return TypedResults.LocalRedirect(ReturnUrls.Resolve(redirectUri));
        }).AllowAnonymous();
    }
}
