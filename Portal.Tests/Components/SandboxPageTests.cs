using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Sandbox;
using Portal.Domain.Access;
using Portal.Infrastructure.Inbound;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Sandbox;
using Portal.Infrastructure.Sending;
using Portal.Tests.Support;
using SandboxPageComponent = Portal.Components.Pages.Training.SandboxPage;

namespace Portal.Tests.Components;

/// <summary>
/// Issue 18, item 4 (covered for issue 21): the trainer's half of the sandbox page, rendered with the
/// real host's services: a practice send is listed, the simulator's rule of a trainee is read,
/// refused when out of range and saved, and a trainee's sandbox is reset.
/// </summary>
public sealed class SandboxPageTests : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new(DatabaseProvider.Sqlite, demoClients: 20);

    public async Task InitializeAsync() => await _app.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Trainer_EntersTheSandbox_SetsATraineesRule_AndResetsTheSandbox()
    {
        var factory = _app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        string adminId;
        await using (var db = await factory.CreateDbContextAsync()) adminId = await db.Users.Where(u => u.Email == PortalAppFactory.AdminEmail).Select(u => u.Id).SingleAsync();
        await using var scope = _app.Services.CreateAsyncScope();
        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(factory);
        ctx.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<TrainingSandbox>());
        ctx.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<InboxQueries>());
        ctx.Services.AddSingleton(scope.ServiceProvider.GetRequiredService<SandboxReplies>());
        ctx.Services.AddScoped<SandboxState>();
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail).SetRoles(Roles.Administrator)
            .SetPolicies(Portal.Identity.Policies.Training).SetClaims(new Claim(ClaimTypes.NameIdentifier, adminId));
        ctx.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var page = ctx.Render<SandboxPageComponent>();
        page.WaitForAssertion(() => page.Find("[data-testid=sandbox-intro]"), TimeSpan.FromSeconds(10));
        var snackbar = ctx.Services.GetRequiredService<ISnackbar>();

        page.Find("button[data-testid=sandbox-enter]").Click();
        page.WaitForAssertion(() => page.Find($"[data-testid='sandbox-reset-{PortalAppFactory.AdminEmail}']"), TimeSpan.FromSeconds(20));

        // A practice send goes to the trainee's synthetic audience and lists the campaign.
        page.Find("button[data-testid=sandbox-send]").Click();
        page.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message == "Sent to the sandbox audience."), TimeSpan.FromSeconds(20));
        page.WaitForAssertion(() => Assert.Contains("Practice", page.Find("[data-testid=sandbox-campaigns]").TextContent), TimeSpan.FromSeconds(10));

        // The trainee's rule: read when picked (the default), refused out of range, then saved.
        var owner = page.FindComponents<MudSelect<string>>().Single(c => Equals(c.Instance.UserAttributes.GetValueOrDefault("data-testid"), "sandbox-rule-owner"));
        await page.InvokeAsync(() => owner.Instance.ValueChanged.InvokeAsync(adminId));
        page.WaitForAssertion(() => Assert.False(page.Find("button[data-testid=sandbox-rule-save]").HasAttribute("disabled")));
        var every = page.FindComponents<MudNumericField<int>>();
        await page.InvokeAsync(() => every[0].Instance.ValueChanged.InvokeAsync(101));
        page.Find("button[data-testid=sandbox-rule-save]").Click();
        page.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message == "Every n-th message: n is from 0 to 100."), TimeSpan.FromSeconds(10));
        await page.InvokeAsync(() => every[0].Instance.ValueChanged.InvokeAsync(3));
        await page.InvokeAsync(() => every[1].Instance.ValueChanged.InvokeAsync(0));
        page.Find("button[data-testid=sandbox-rule-save]").Click();
        page.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message == "The simulator's rule for this trainee was saved."), TimeSpan.FromSeconds(10));
        var replies = scope.ServiceProvider.GetRequiredService<SandboxReplies>();
        var rule = await replies.RuleOfAsync(adminId, default);
        Assert.Equal((3, 0), (rule.ReplyEvery, rule.StopEvery));

        page.Find($"[data-testid='sandbox-reset-{PortalAppFactory.AdminEmail}']").Click();
        page.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message == $"The sandbox of {PortalAppFactory.AdminEmail} was reset."), TimeSpan.FromSeconds(20));
    }
}
