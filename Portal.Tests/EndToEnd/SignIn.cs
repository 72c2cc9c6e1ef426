using Microsoft.Playwright;
using Portal.Tests.Support;

namespace Portal.Tests.EndToEnd;

public static class SignIn
{
    /// <summary>Fills the login form the page is on (or was redirected to) and waits until the Blazor circuit is interactive.</summary>
    public static async Task SignInAsync(this IPage page, string email, string password)
    {
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#sign-in");
        await page.CompleteSignInAsync(email);
    }

    /// <summary>
    /// After the password: answers the authenticator step with the user's TOTP code, or enrols a user
    /// the portal sends to enrolment first (issue 14), then waits until the Blazor circuit is interactive.
    /// </summary>
    public static async Task CompleteSignInAsync(this IPage page, string email)
    {
        var attached = new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached };
        await page.WaitForSelectorAsync("#portal-interactive, #totp-code, #enrol-code", attached);
        if (await page.Locator("#totp-code").CountAsync() > 0)
        {
            await page.FillAsync("#totp-code", Totp.Code(PortalAppFactory.AuthenticatorKeyOf(email), $"{PortalAppFactory.CodeScopeOf(page.Url)}|{email}"));
            await page.ClickAsync("#verify");
        }
        else if (await page.Locator("#enrol-code").CountAsync() > 0)
        {
            var key = (await page.Locator("#authenticator-key").InnerTextAsync()).Replace(" ", "").ToUpperInvariant();
            await page.FillAsync("#enrol-code", Totp.Code(key));
            await page.ClickAsync("#enrol");
            if (email != PortalAppFactory.AdminEmail)
            {
                PortalAppFactory.EnrolledKeys[email] = key;
            }
            await page.ClickAsync("#continue");
        }
        await page.WaitForSelectorAsync("#portal-interactive", attached);
    }
}
