using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Hosting;
using Portal.Identity;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>
/// Issue 14, authentication and sessions (ASVS V6, V7) through the real host and its cookies:
/// MFA enrolment and sign-in with a code or a recovery code, password change and the forced change
/// after a reset, the absolute session lifetime, logout, one generic sign-in error, the audit of
/// failed sign-ins and local-only return URLs.
/// </summary>
public class AccountSecurityTests
{
    private static async Task<PortalAppFactory> StartAsync(DatabaseProvider provider = DatabaseProvider.Sqlite, bool enrolAdmin = true,
        Dictionary<string, string?>? settings = null)
    {
        var app = new PortalAppFactory(provider, demoClients: 20) { EnrolAdministrator = enrolAdmin };
        foreach (var (key, value) in settings ?? [])
        {
            app.Settings[key] = value;
        }
        return await app.StartAsync();
    }

    private static string PathOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        return location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
    }

    private static Task<HttpResponseMessage> PostPasswordAsync(HttpClient client, string email, string password) =>
        PortalAppFactory.PostFormAsync(client, "/Account/Login", new() { ["email"] = email, ["password"] = password });

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task FirstAdministratorSignIn_LeadsToEnrolment_ThenACodeOrARecoveryCodeIsRequired(DatabaseProvider provider)
    {
        await using var app = await StartAsync(provider, enrolAdmin: false);
        var client = app.CreateBrowserlikeClient();

        // The password alone opens nothing but enrolment: no page, no export, no Blazor hub.
        Assert.Equal("/", PathOf(await PostPasswordAsync(client, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword)));
        Assert.StartsWith(AccountSecurity.EnrolPath, PathOf(await client.GetAsync("/")));
        Assert.StartsWith(AccountSecurity.EnrolPath, PathOf(await client.GetAsync("/admin/users")));
        Assert.StartsWith(AccountSecurity.EnrolPath, PathOf(await client.GetAsync("/clients")));
        var hub = await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", null);
        Assert.True(hub.StatusCode == HttpStatusCode.Forbidden, hub.StatusCode + await hub.Content.ReadAsStringAsync());

        var page = WebUtility.HtmlDecode(await client.GetStringAsync(AccountSecurity.EnrolPath));
        Assert.Contains("data-testid=\"mfa-required\"", page);
        Assert.Matches("<img src=\"data:image/png;base64,[A-Za-z0-9+/=]{200,}\"", page);
        var key = Regex.Match(page, "id=\"authenticator-key\"[^>]*>([^<]+)<").Groups[1].Value.Replace(" ", "").ToUpperInvariant();
        Assert.Equal(32, key.Length);

        var wrong = await PortalAppFactory.PostFormAsync(client, AccountSecurity.EnrolPath, new() { ["enrol-code"] = Totp.Wrong(key) });
        Assert.Contains("data-testid=\"mfa-error\"", await wrong.Content.ReadAsStringAsync());
        Assert.StartsWith(AccountSecurity.EnrolPath, PathOf(await client.GetAsync("/")));

        var enrolled = await PortalAppFactory.PostFormAsync(client, AccountSecurity.EnrolPath, new() { ["enrol-code"] = Totp.Code(key) });
        var codes = Regex.Matches(await enrolled.Content.ReadAsStringAsync(), "<li><code>([^<]+)</code></li>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(10, codes.Count);
        // The same session goes on, now without the enrolment gate.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/users")).StatusCode);

        // Next time: password, then the code; the password alone is not a session.
        var second = app.CreateBrowserlikeClient();
        var afterPassword = PathOf(await PostPasswordAsync(second, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword));
        Assert.StartsWith("/Account/LoginWith2fa", afterPassword);
        Assert.StartsWith("/Account/Login", PathOf(await second.GetAsync("/")));
        var badCode = await PortalAppFactory.PostFormAsync(second, afterPassword, new() { ["totp-code"] = "12345" });
        Assert.Contains("Wrong code.", WebUtility.HtmlDecode(await badCode.Content.ReadAsStringAsync()));
        Assert.Equal("/", PathOf(await PortalAppFactory.PostFormAsync(second, afterPassword, new() { ["totp-code"] = Totp.Code(key) })));
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/admin/users")).StatusCode);

        // A recovery code works once.
        var third = app.CreateBrowserlikeClient();
        await PostPasswordAsync(third, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        Assert.Equal("/", PathOf(await PortalAppFactory.PostFormAsync(third, "/Account/LoginWithRecoveryCode?ReturnUrl=%2F", new() { ["recovery-code"] = codes[0] })));
        Assert.Equal(HttpStatusCode.OK, (await third.GetAsync("/")).StatusCode);
        var fourth = app.CreateBrowserlikeClient();
        await PostPasswordAsync(fourth, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        var reused = await PortalAppFactory.PostFormAsync(fourth, "/Account/LoginWithRecoveryCode?ReturnUrl=%2F", new() { ["recovery-code"] = codes[0] });
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.Contains("wrong or was already used", await reused.Content.ReadAsStringAsync());

        await using var db = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        Assert.True(await db.AuditEntries.AnyAsync(e => e.Action == AccountAuditActions.MfaEnabled && e.UserName == PortalAppFactory.AdminEmail));
        Assert.True(await db.AuditEntries.AnyAsync(e => e.Action == AccountAuditActions.RecoveryCodeUsed));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task AnAuthenticatorCode_IsAcceptedOnce_ReplayedInAnotherSessionItIsRefused(DatabaseProvider provider)
    {
        await using var app = await StartAsync(provider);
        var (email, password) = await app.CreateUserAsync(Roles.Analyst);
        var client = app.CreateBrowserlikeClient();
        await PostPasswordAsync(client, email, password);
        var key = await PortalAppFactory.EnrolAsync(client, email);
        var code = Totp.Code(key);

        var first = app.CreateBrowserlikeClient();
        var step = PathOf(await PostPasswordAsync(first, email, password));
        Assert.Equal("/", PathOf(await PortalAppFactory.PostFormAsync(first, step, new() { ["totp-code"] = code })));

        // Someone who saw the code (over a shoulder, in a proxy log) and knows the password, within the same 30 s.
        var replay = app.CreateBrowserlikeClient();
        var replayStep = PathOf(await PostPasswordAsync(replay, email, password));
        var refused = await PortalAppFactory.PostFormAsync(replay, replayStep, new() { ["totp-code"] = code });
        Assert.Contains("Wrong code.", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()));
        Assert.StartsWith("/Account/Login", PathOf(await replay.GetAsync("/")));

        // The next code still works.
        Assert.Equal("/", PathOf(await PortalAppFactory.PostFormAsync(replay, replayStep, new() { ["totp-code"] = Totp.Code(key) })));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task RecoveryCodes_AreStoredHashed_AndEachWorksOnce(DatabaseProvider provider)
    {
        await using var app = await StartAsync(provider);
        var (email, _) = await app.CreateUserAsync(Roles.Analyst);
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = (await users.FindByEmailAsync(email))!;

        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToList();

        await using (var db = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext())
        {
            var stored = await db.UserTokens.Where(t => t.UserId == user.Id && t.Name == "RecoveryCodes").Select(t => t.Value).SingleAsync();
            Assert.NotNull(stored);
            Assert.All(codes, code => Assert.DoesNotContain(code, stored));
            Assert.All(stored!.Split(';'), entry => Assert.StartsWith("h1:", entry));
        }
        Assert.Equal(10, await users.CountRecoveryCodesAsync(user));
        Assert.True((await users.RedeemTwoFactorRecoveryCodeAsync(user, codes[3])).Succeeded);
        Assert.False((await users.RedeemTwoFactorRecoveryCodeAsync(user, codes[3])).Succeeded);
        Assert.False((await users.RedeemTwoFactorRecoveryCodeAsync(user, "not-a-code")).Succeeded);
        Assert.Equal(9, await users.CountRecoveryCodesAsync(user));
    }

    [Fact]
    public async Task RoleWithoutPersonalData_SignsInWithoutMfa_AndMayEnrolOfItsOwnAccord()
    {
        await using var app = await StartAsync();
        var (email, password) = await app.CreateUserAsync(Roles.Analyst);
        var client = app.CreateBrowserlikeClient();
        Assert.Equal("/", PathOf(await PostPasswordAsync(client, email, password)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);

        var key = await PortalAppFactory.EnrolAsync(client, email);

        var again = app.CreateBrowserlikeClient();
        var step = PathOf(await PostPasswordAsync(again, email, password));
        Assert.StartsWith("/Account/LoginWith2fa", step);
        Assert.Equal("/", PathOf(await PortalAppFactory.PostFormAsync(again, step, new() { ["totp-code"] = Totp.Code(key) })));
    }

    [Fact]
    public async Task AdministratorsReset_GivesATemporaryPassword_ThatMustBeChangedBeforeAnythingElse()
    {
        await using var app = await StartAsync();
        var (email, _) = await app.CreateUserAsync(Roles.Analyst);
        string temporary;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
            var user = (await accounts.ListAsync(default)).Single(u => u.Email == email);
            temporary = (await accounts.ResetPasswordAsync(ApiAdmin(), user.Id)).NewPassword!;
        }

        var client = app.CreateBrowserlikeClient();
        Assert.Equal("/", PathOf(await PostPasswordAsync(client, email, temporary)));
        Assert.StartsWith(AccountSecurity.ChangePasswordPath, PathOf(await client.GetAsync("/")));
        Assert.StartsWith(AccountSecurity.ChangePasswordPath, PathOf(await client.GetAsync("/segments")));
        var page = await client.GetStringAsync(AccountSecurity.ChangePasswordPath);
        Assert.Contains("data-testid=\"must-change-password\"", page);

        var mismatch = await PortalAppFactory.PostFormAsync(client, AccountSecurity.ChangePasswordPath,
            new() { ["current-password"] = temporary, ["new-password"] = "My-Own-Password-42!", ["confirm-password"] = "Other-Password-42!" });
        Assert.Contains("do not match", await mismatch.Content.ReadAsStringAsync());
        var wrongCurrent = await PortalAppFactory.PostFormAsync(client, AccountSecurity.ChangePasswordPath,
            new() { ["current-password"] = "not-it-at-all-1A!", ["new-password"] = "My-Own-Password-42!", ["confirm-password"] = "My-Own-Password-42!" });
        Assert.Contains("The current password is wrong.", await wrongCurrent.Content.ReadAsStringAsync());
        var changed = await PortalAppFactory.PostFormAsync(client, AccountSecurity.ChangePasswordPath,
            new() { ["current-password"] = temporary, ["new-password"] = "My-Own-Password-42!", ["confirm-password"] = "My-Own-Password-42!" });
        Assert.Contains("data-testid=\"password-changed\"", await changed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await PostPasswordAsync(app.CreateBrowserlikeClient(), email, temporary)).StatusCode);
        Assert.Equal("/", PathOf(await PostPasswordAsync(app.CreateBrowserlikeClient(), email, "My-Own-Password-42!")));
        Assert.Equal(HttpStatusCode.OK, (await (await SignedInAsync(app, email, "My-Own-Password-42!")).GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task ChangingTheOwnPassword_EndsTheUsersOtherSessions()
    {
        await using var app = await StartAsync();
        var (email, password) = await app.CreateUserAsync(Roles.Manager);
        var here = await SignedInAsync(app, email, password);
        var elsewhere = await SignedInAsync(app, email, password);

        var changed = await PortalAppFactory.PostFormAsync(here, AccountSecurity.ChangePasswordPath,
            new() { ["current-password"] = password, ["new-password"] = "Brand-New-Password-7!", ["confirm-password"] = "Brand-New-Password-7!" });
        Assert.Contains("data-testid=\"password-changed\"", await changed.Content.ReadAsStringAsync());

        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the test host revalidates every second
        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/")).StatusCode);
        Assert.StartsWith("/Account/Login", PathOf(await elsewhere.GetAsync("/")));
    }

    [Fact]
    public async Task AbsoluteLifetime_EndsEvenABusySession()
    {
        await using var app = await StartAsync(settings: new() { ["Identity:AbsoluteSessionLifetime"] = "00:00:04", ["Identity:IdleTimeout"] = "01:00:00" });
        var (email, password) = await app.CreateUserAsync(Roles.Manager);
        var client = await SignedInAsync(app, email, password);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
            await Task.Delay(TimeSpan.FromSeconds(0.5));
        }
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        Assert.StartsWith("/Account/Login", PathOf(await client.GetAsync("/")));
    }

    [Fact]
    public async Task Logout_NeedsTheAntiforgeryToken_AndKillsEveryCopyOfTheCookie()
    {
        await using var app = await StartAsync();
        var (email, password) = await app.CreateUserAsync(Roles.Manager);
        var jar = new CookieContainer();
        var client = app.CreateDefaultClient(new CookieContainerHandler(jar));
        await PostPasswordAsync(client, email, password);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);

        // A stolen copy of the session cookie, used from elsewhere.
        var copyJar = new CookieContainer();
        foreach (Cookie cookie in jar.GetCookies(client.BaseAddress!))
        {
            copyJar.Add(client.BaseAddress!, new Cookie(cookie.Name, cookie.Value, "/"));
        }
        var copy = app.CreateDefaultClient(new CookieContainerHandler(copyJar));
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/")).StatusCode);

        // Another site's form (no token) cannot sign the user out.
        var forged = await client.PostAsync("/Account/Logout", new FormUrlEncodedContent([]));
        Assert.True(forged.StatusCode == HttpStatusCode.BadRequest, forged.StatusCode + (await forged.Content.ReadAsStringAsync())[..Math.Min(3000, (int)(forged.Content.Headers.ContentLength ?? 3000))]);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);

        // The token a page of ours carries for this user (the shell's menu renders its form only when opened).
        var form = await client.GetStringAsync(AccountSecurity.ChangePasswordPath);
        var token = Regex.Match(form, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        var logout = await client.PostAsync("/Account/Logout", new FormUrlEncodedContent([new("__RequestVerificationToken", WebUtility.HtmlDecode(token))]));
        Assert.StartsWith("/Account/Login", PathOf(logout));

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.StartsWith("/Account/Login", PathOf(await copy.GetAsync("/")));
    }

    [Fact]
    public async Task WrongPassword_GetsOneAnswer_WhateverTheAccountsState()
    {
        await using var app = await StartAsync();
        var (disabled, disabledPassword) = await app.CreateUserAsync(Roles.Manager);
        var (locked, lockedPassword) = await app.CreateUserAsync(Roles.Analyst);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var user = (await users.FindByEmailAsync(disabled))!;
            user.IsDisabled = true;
            await users.UpdateAsync(user);
            await users.SetLockoutEndDateAsync((await users.FindByEmailAsync(locked))!, DateTimeOffset.UtcNow.AddHours(1));
        }

        async Task<string> AnswerAsync(string email, string password)
        {
            var response = await PostPasswordAsync(app.CreateBrowserlikeClient(), email, password);
            return response.StatusCode == HttpStatusCode.Redirect ? "redirect " + PathOf(response)
                : Regex.Match(await response.Content.ReadAsStringAsync(), "data-testid=\"login-error\">([^<]*)<").Groups[1].Value;
        }

        var generic = await AnswerAsync("nobody-" + Guid.NewGuid().ToString("N") + "@test.local", "Wrong-Password-1!");
        Assert.Equal("Wrong email or password.", generic);
        Assert.Equal(generic, await AnswerAsync(disabled, "Wrong-Password-1!"));
        Assert.Equal(generic, await AnswerAsync(locked, "Wrong-Password-1!"));
        // Only the right password learns the account's state.
        Assert.Contains("This account is disabled.", await AnswerAsync(disabled, disabledPassword));
        Assert.Equal("redirect /Account/Lockout", await AnswerAsync(locked, lockedPassword));
    }

    [Fact]
    public async Task FailedSignIns_NeverRecordWhatWasTypedAsTheUserName()
    {
        await using var app = await StartAsync();
        const string typed = "Correct-Horse-Battery-9!";  // a password typed into the email field
        await PostPasswordAsync(app.CreateBrowserlikeClient(), typed, "whatever-else-1A!");
        await PostPasswordAsync(app.CreateBrowserlikeClient(), PortalAppFactory.AdminEmail, "Wrong-Password-1!");

        await using var db = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        var failures = await db.AuditEntries.Where(e => e.Action == AuditActions.SignInFailed).ToListAsync();
        Assert.Equal(2, failures.Count);
        Assert.DoesNotContain(failures, e => (e.UserName + e.Details + e.EntityId + e.UserId).Contains("Horse", StringComparison.OrdinalIgnoreCase));
        var unknown = Assert.Single(failures, e => e.UserId is null);
        Assert.Null(unknown.UserName);
        Assert.Contains("ref " + AccountSecurity.UnknownNameReference(typed), unknown.Details);
        var known = Assert.Single(failures, e => e.UserId is not null);
        Assert.Equal(PortalAppFactory.AdminEmail, known.UserName);
        Assert.Equal((await db.Users.SingleAsync(u => u.Email == PortalAppFactory.AdminEmail)).Id, known.UserId);
    }

    [Theory]
    [InlineData("//evil.example/x")]
    [InlineData("/\\evil.example/x")]
    [InlineData("\\\\evil.example/x")]
    [InlineData("\\/evil.example/x")]
    [InlineData("https://evil.example/x")]
    [InlineData("/\t/evil.example/x")]
    [InlineData("javascript:alert(1)")]
    public async Task ReturnUrls_NeverLeaveThePortal(string hostile)
    {
        await using var app = await StartAsync();
        var (email, password) = await app.CreateUserAsync(Roles.Manager);
        foreach (var (who, pass) in new[] { (email, password), (PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword) })
        {
            // The admin's way goes through the code step, which carries the return URL on.
            var response = await PortalAppFactory.PostLoginAsync(app.CreateBrowserlikeClient(), who, pass, hostile);
            AssertStaysHome(response);
        }
        AssertStaysHome(await app.CreateBrowserlikeClient().GetAsync("/culture?culture=ru&redirectUri=" + Uri.EscapeDataString(hostile)));

        var good = await PortalAppFactory.PostLoginAsync(app.CreateBrowserlikeClient(), email, password, "/segments?x=1");
        Assert.Equal("/segments?x=1", PathOf(good));
    }

    private static void AssertStaysHome(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        var absolute = location.IsAbsoluteUri ? location : new Uri(new Uri("http://localhost/"), location);
        Assert.Equal("localhost", absolute.Host);
        Assert.Equal("/", absolute.AbsolutePath);
    }

    [Fact]
    public void ReturnUrlRule_IsLocalRedirects()
    {
        Assert.True(ReturnUrls.IsLocal("/"));
        Assert.True(ReturnUrls.IsLocal("/campaigns/5?tab=1"));
        Assert.True(ReturnUrls.IsLocal("~/campaigns"));
        Assert.False(ReturnUrls.IsLocal("//evil"));
        Assert.False(ReturnUrls.IsLocal("/\\evil"));
        Assert.False(ReturnUrls.IsLocal("~//evil"));
        Assert.False(ReturnUrls.IsLocal("campaigns"));
        Assert.False(ReturnUrls.IsLocal("/\r\nLocation: x"));
        Assert.Equal("/", ReturnUrls.Resolve("http://evil"));
        Assert.Equal("/campaigns", ReturnUrls.Resolve("~/campaigns"));
    }

    private static async Task<HttpClient> SignedInAsync(PortalAppFactory app, string email, string password)
    {
        var client = app.CreateBrowserlikeClient();
        var response = await PortalAppFactory.PostLoginAsync(client, email, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private static System.Security.Claims.ClaimsPrincipal ApiAdmin() =>
        new(new System.Security.Claims.ClaimsIdentity([new(System.Security.Claims.ClaimTypes.Name, PortalAppFactory.AdminEmail)], "test"));
}
