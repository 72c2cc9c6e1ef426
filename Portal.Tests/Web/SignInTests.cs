using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Identity;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>Sign-in, lockout, roles and disabling, through the real host and its cookies.</summary>
public class SignInTests : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new();

    public async Task InitializeAsync() => await _app.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Anonymous_IsSentToSignIn()
    {
        var response = await _app.CreateBrowserlikeClient().GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task SeededAdministrator_SignsIn_AndSeesTheShell()
    {
        var client = _app.CreateBrowserlikeClient();
        var response = await PortalAppFactory.PostLoginAsync(client, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal("/", location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString);

        var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        var html = await home.Content.ReadAsStringAsync();
        Assert.Contains("Overview", html);
        Assert.Contains("admin/users", html);
        await AssertAuditedAsync(AuditActions.SignIn, PortalAppFactory.AdminEmail);
    }

    [Fact]
    public async Task WrongPassword_ShowsAnErrorAndIsAudited()
    {
        var client = _app.CreateBrowserlikeClient();
        var response = await PortalAppFactory.PostLoginAsync(client, PortalAppFactory.AdminEmail, "not-the-password");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Wrong email or password.", await response.Content.ReadAsStringAsync());
        await AssertAuditedAsync(AuditActions.SignInFailed, PortalAppFactory.AdminEmail);
    }

    [Fact]
    public async Task FiveWrongPasswords_LockTheAccount_EvenForTheRightPassword()
    {
        var (email, password) = await _app.CreateUserAsync(Roles.Analyst);
        var client = _app.CreateBrowserlikeClient();
        for (var i = 0; i < 5; i++)
        {
            // Issue 14: the lock is never revealed to a wrong password, the fifth one included.
            var failed = await PortalAppFactory.PostLoginAsync(client, email, "wrong-password-" + i);
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
            Assert.Contains("Wrong email or password.", await failed.Content.ReadAsStringAsync());
        }

        var right = await PortalAppFactory.PostLoginAsync(client, email, password);
        Assert.Contains("Account/Lockout", right.Headers.Location!.ToString());
        await AssertAuditedAsync(AuditActions.LockedOut, email);
    }

    [Theory]
    [InlineData(Roles.Administrator, "/admin/users", true)]
    [InlineData(Roles.Analyst, "/admin/users", false)]
    [InlineData(Roles.CampaignManager, "/admin/users", false)]
    [InlineData(Roles.Auditor, "/audit", true)]
    [InlineData(Roles.Administrator, "/audit", true)]
    [InlineData(Roles.Manager, "/audit", false)]
    [InlineData(Roles.Trainer, "/", true)]
    public async Task Pages_AreOpenOnlyToTheirRoles(string role, string path, bool allowed)
    {
        var (email, password) = await _app.CreateUserAsync(role);
        var client = _app.CreateBrowserlikeClient();
        await PortalAppFactory.PostLoginAsync(client, email, password);
        var response = await client.GetAsync(path);
        if (allowed)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Contains("/Account/AccessDenied", response.Headers.Location!.ToString());
        }
    }

    [Fact]
    public async Task DisabledUser_CannotSignIn_AndLosesAnOpenSession()
    {
        var (email, password) = await _app.CreateUserAsync(Roles.Manager);
        var client = _app.CreateBrowserlikeClient();
        await PortalAppFactory.PostLoginAsync(client, email, password);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);

        var admin = await AdminPrincipalAsync();
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
            var user = (await accounts.ListAsync(default)).Single(u => u.Email == email);
            Assert.True((await accounts.SetDisabledAsync(admin, user.Id, true)).Succeeded);
        }

        // The test host revalidates every second (production: 30 s, issue 2 asks for under a minute).
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var after = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Contains("/Account/Login", after.Headers.Location!.ToString());

        var again = await PortalAppFactory.PostLoginAsync(_app.CreateBrowserlikeClient(), email, password);
        Assert.Contains("This account is disabled.", await again.Content.ReadAsStringAsync());
        await AssertAuditedAsync(AuditActions.UserDisabled, PortalAppFactory.AdminEmail);
    }

    [Fact]
    public async Task Health_ReportsTheDatabase()
    {
        var response = await _app.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"status\":\"Healthy\"", body);
        Assert.Contains("\"database\":", body);
        Assert.Contains("\"broker\":{\"status\":\"Healthy\",\"description\":\"in-process\"}", body);
    }

    private async Task<System.Security.Claims.ClaimsPrincipal> AdminPrincipalAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var admin = await db.Users.SingleAsync(u => u.Email == PortalAppFactory.AdminEmail);
        return new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
        [
            new(System.Security.Claims.ClaimTypes.NameIdentifier, admin.Id),
            new(System.Security.Claims.ClaimTypes.Name, admin.Email!),
        ], "test"));
    }

    private async Task AssertAuditedAsync(string action, string userName)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.True(await db.AuditEntries.AnyAsync(e => e.Action == action && e.UserName == userName),
            $"no audit entry {action} by {userName}");
    }
}
