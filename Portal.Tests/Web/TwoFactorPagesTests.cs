using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Identity;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>
/// Issue 14 (covered for issue 21): the code steps of sign-in without a password first, a locked
/// account at the code step, and the enrolment page of a user whose authenticator is already on
/// (new recovery codes), through the real host.
/// </summary>
public sealed class TwoFactorPagesTests : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(DatabaseProvider.Sqlite, demoClients: 20);

    public async Task InitializeAsync() => await _app.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string PathOf(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{response.StatusCode}: not a redirect");
        var location = response.Headers.Location!;
        return location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
    }

    private static Task<HttpResponseMessage> PasswordAsync(HttpClient client, string email, string password) =>
        PortalAppFactory.PostFormAsync(client, "/Account/Login", new() { ["email"] = email, ["password"] = password });

    [Theory]
    [InlineData("/Account/LoginWith2fa", "login-2fa")]
    [InlineData("/Account/LoginWithRecoveryCode", "login-recovery")]
    public async Task CodeStep_WithoutAPasswordFirst_SendsToSignIn_OpenedOrPosted(string path, string form)
    {
        var client = _app.CreateBrowserlikeClient();
        Assert.StartsWith("/Account/Login", PathOf(await client.GetAsync(path)));
        Assert.DoesNotContain("2fa", PathOf(await client.GetAsync(path)), StringComparison.OrdinalIgnoreCase);

        // A posted code without the password step (a replayed form) never reaches the page's handler:
        // the form is not rendered for such a request, so Blazor refuses the post. No sign-in.
        var posted = await PostUnrenderedFormAsync(client, path, form, "/Account/Login", ("Input.Code", "123456"));
        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        Assert.Contains($"Cannot submit the form '{form}' because no form on the page currently has that name.", await posted.Content.ReadAsStringAsync());
        Assert.StartsWith("/Account/Login", PathOf(await client.GetAsync("/")));
        await using var db = _app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        Assert.False(await db.AuditEntries.AnyAsync(e => e.Action == AuditActions.SignIn));
    }

    [Fact]
    public async Task ALockedAccount_AtTheCodeStep_IsSentToTheLockoutPage_ByACodeOrARecoveryCode()
    {
        var (email, password) = await _app.CreateUserAsync(Roles.CampaignManager);
        var byCode = _app.CreateBrowserlikeClient();
        var byRecovery = _app.CreateBrowserlikeClient();
        var codeStep = PathOf(await PasswordAsync(byCode, email, password));
        Assert.StartsWith("/Account/LoginWith2fa", codeStep);
        Assert.StartsWith("/Account/LoginWith2fa", PathOf(await PasswordAsync(byRecovery, email, password)));
        string recoveryCode;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            recoveryCode = (await users.GenerateNewTwoFactorRecoveryCodesAsync((await users.FindByEmailAsync(email))!, 1))!.Single();
            var locked = await users.SetLockoutEndDateAsync((await users.FindByEmailAsync(email))!, DateTimeOffset.UtcNow.AddMinutes(15));
            Assert.True(locked.Succeeded, string.Join("; ", locked.Errors.Select(e => e.Description)));
        }

        var code = Totp.Code(PortalAppFactory.TestAuthenticatorKey, $"{PortalAppFactory.CodeScopeOf(byCode)}|{email}");
        Assert.Equal("/Account/Lockout", PathOf(await PortalAppFactory.PostFormAsync(byCode, codeStep, new() { ["totp-code"] = code })));
        Assert.Equal("/Account/Lockout", PathOf(await PortalAppFactory.PostFormAsync(byRecovery, "/Account/LoginWithRecoveryCode?ReturnUrl=%2F",
            new() { ["recovery-code"] = recoveryCode })));

        Assert.StartsWith("/Account/Login", PathOf(await byCode.GetAsync("/")));
        Assert.StartsWith("/Account/Login", PathOf(await byRecovery.GetAsync("/")));
        await using var db = _app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        Assert.Equal(2, await db.AuditEntries.CountAsync(e => e.Action == AuditActions.LockedOut && e.UserName == email));
        Assert.False(await db.AuditEntries.AnyAsync(e => e.Action == AuditActions.SignIn && e.UserName == email));
    }

    [Fact]
    public async Task EnrolmentPage_OfAUserWithMfaOn_CountsRecoveryCodes_AndMakesNewOnes()
    {
        var (email, password) = await _app.CreateUserAsync(Roles.CampaignManager);
        var client = _app.CreateBrowserlikeClient();
        Assert.Equal("/", PathOf(await PortalAppFactory.PostLoginAsync(client, email, password)));

        var page = WebUtility.HtmlDecode(await client.GetStringAsync(AccountSecurity.EnrolPath));
        Assert.Contains("Two-factor authentication is on. Recovery codes left: 0.", page);
        Assert.DoesNotContain("data-testid=\"authenticator-key\"", page);

        var renewed = await PortalAppFactory.PostFormAsync(client, AccountSecurity.EnrolPath, [], page);
        var codes = Regex.Matches(await renewed.Content.ReadAsStringAsync(), "<li><code>([^<]+)</code></li>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(10, codes.Distinct().Count());

        // The enrolment form is not shown to a user with MFA on, so a post of it is refused: the key stays.
        string? key;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            key = await users.GetAuthenticatorKeyAsync((await users.FindByEmailAsync(email))!);
        }
        var enrol = await PostUnrenderedFormAsync(client, AccountSecurity.EnrolPath, "enable-authenticator", AccountSecurity.EnrolPath, ("Input.Code", "123456"));
        Assert.Equal(HttpStatusCode.BadRequest, enrol.StatusCode);
        Assert.Contains("no form on the page currently has that name", await enrol.Content.ReadAsStringAsync());

        Assert.Contains("Recovery codes left: 10.", WebUtility.HtmlDecode(await client.GetStringAsync(AccountSecurity.EnrolPath)));
        await using var db = _app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        Assert.True(await db.AuditEntries.AnyAsync(e => e.Action == AccountAuditActions.RecoveryCodesRenewed && e.UserName == email));
        // The new codes are the ones that work, and the authenticator key is the one enrolled.
        await using var check = _app.Services.CreateAsyncScope();
        var manager = check.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = (await manager.FindByEmailAsync(email))!;
        Assert.True((await manager.RedeemTwoFactorRecoveryCodeAsync(user, codes[0])).Succeeded);
        Assert.Equal(key, await manager.GetAuthenticatorKeyAsync(user));
    }

    /// <summary>Posts a form by name with a valid antiforgery token (from the sign-in page) to a page that does not render it.</summary>
    private static async Task<HttpResponseMessage> PostUnrenderedFormAsync(HttpClient client, string path, string form, string tokenPage, params (string Name, string Value)[] fields)
    {
        var login = await client.GetStringAsync(tokenPage);
        var token = WebUtility.HtmlDecode(Regex.Match(login, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value);
        Assert.NotEmpty(token);
        List<KeyValuePair<string, string>> body = [new("__RequestVerificationToken", token), new("_handler", form), .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))];
        return await client.PostAsync(path, new FormUrlEncodedContent(body));
    }
}
