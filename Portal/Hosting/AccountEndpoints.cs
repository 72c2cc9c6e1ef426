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
        app.MapPost("/Account/Logout", async Task<IResult> (HttpContext context, IAntiforgery antiforgery, PortalSignInManager signIn, UserManager<PortalUser> users, AuditLog audit) =>
        {
            // Minimal API handlers that bind no form are not refused by the antiforgery middleware: check here.
            if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false } || !await antiforgery.IsRequestValidAsync(context))
            {
                // With a body: the status-code pages would re-run an empty 400 as a POST to the not-found page.
                return TypedResults.Text("The sign-out form has expired. Reload the page and sign out again.", statusCode: StatusCodes.Status400BadRequest);
            }
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
