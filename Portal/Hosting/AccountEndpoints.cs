using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Portal.Domain.Audit;
using Portal.Identity;
using Portal.Infrastructure.Audit;

namespace Portal.Hosting;

internal static class AccountEndpoints
{
    public static void MapAccountEndpoints(this WebApplication app)
    {
        app.MapPost("/Account/Logout", async (HttpContext context, PortalSignInManager signIn, AuditLog audit) =>
        {
            await audit.WriteAsync(context.User, AuditActions.SignOut);
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("~/Account/Login");
        });

        // The language switch: a cookie read by request localization; the circuit restarts to pick it up.
        app.MapGet("/culture", (HttpContext context, [FromQuery] string culture, [FromQuery] string? redirectUri) =>
        {
            if (WebSetup.Cultures.Any(c => c.Name == culture))
            {
                context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                    CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                    new CookieOptions { MaxAge = TimeSpan.FromDays(365), IsEssential = true, SameSite = SameSiteMode.Lax });
            }
            return TypedResults.LocalRedirect(string.IsNullOrEmpty(redirectUri) || !redirectUri.StartsWith('/') ? "~/" : "~" + redirectUri);
        }).AllowAnonymous();
    }
}
