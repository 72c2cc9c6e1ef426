using Microsoft.Playwright;

namespace Portal.Tests.EndToEnd;

public static class SignIn
{
    /// <summary>Fills the login form the page is on (or was redirected to) and waits until the Blazor circuit is interactive.</summary>
    public static async Task SignInAsync(this IPage page, string email, string password)
    {
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#sign-in");
        await page.WaitForSelectorAsync("#portal-interactive", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
    }
}
