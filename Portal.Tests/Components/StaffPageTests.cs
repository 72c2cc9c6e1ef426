using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Domain.Access;
using Portal.Infrastructure.Alerts;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;
using StaffPage = Portal.Components.Pages.Alerts.Staff;

namespace Portal.Tests.Components;

/// <summary>Issue 17: the staff directory page adds employees and groups, imports a file, searches, and masks for roles without personal data.</summary>
public sealed class StaffPageTests
{
    // The page's text fields in order: name, phone, e-mail, department, position, location, time zone, group name, group value, search.
    private const int Name = 0, Phone = 1, Department = 3, GroupName = 7, GroupValue = 8, Search = 9;

    private static async Task<(BunitContext Ctx, IRenderedComponent<StaffPage> Page)> RenderAsync(TestDatabase database, string role)
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(new StaffDirectory(database.Factory, TimeProvider.System));
        ctx.AddAuthorization().SetAuthorized("lead@portal.local").SetRoles(role);
        var page = ctx.Render<StaffPage>();
        await Task.Yield();
        return (ctx, page);
    }

    private static Task TypeAsync(IRenderedComponent<StaffPage> page, int field, string value) =>
        page.InvokeAsync(() => page.FindComponents<MudTextField<string>>()[field].Instance.ValueChanged.InvokeAsync(value));

    private static string Message(IRenderedComponent<StaffPage> page) => page.Find("[data-testid=staff-message]").TextContent;

    [Fact]
    public async Task Administrator_AddsAnEmployeeAndAGroup_SeesRefusals_AndSearches()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var (ctx, page) = await RenderAsync(database, Roles.Administrator);
        await using var _ = ctx;
        page.WaitForAssertion(() => Assert.Contains("No employees yet.", page.Markup), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("masked for your role", page.Markup);

        await TypeAsync(page, Name, "Irina Petrova");
        await TypeAsync(page, Phone, "+7 916 000-00-10");
        await TypeAsync(page, Department, "NOC");
        await page.InvokeAsync(() => page.Find("[data-testid=staff-add]").Click());
        page.WaitForAssertion(() => Assert.Equal("Saved.", Message(page)), TimeSpan.FromSeconds(10));
        Assert.Contains("Irina Petrova", page.Find("[data-testid=staff-table]").TextContent);
        Assert.Contains("+79160000010", page.Find("[data-testid=staff-table]").TextContent);

        await TypeAsync(page, Name, "Nobody");
        await TypeAsync(page, Phone, "12");
        await page.InvokeAsync(() => page.Find("[data-testid=staff-add]").Click());
        page.WaitForAssertion(() => Assert.Contains("mud-alert-text-error", page.Find("[data-testid=staff-message]").OuterHtml), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("Nobody", page.Find("[data-testid=staff-table]").TextContent);

        await TypeAsync(page, GroupName, "NOC duty");
        await TypeAsync(page, GroupValue, "NOC");
        await page.InvokeAsync(() => page.Find("[data-testid=group-add]").Click());
        page.WaitForAssertion(() => Assert.Contains("NOC duty (NOC)", page.Markup), TimeSpan.FromSeconds(10));
        await TypeAsync(page, GroupName, "NOC duty");
        await TypeAsync(page, GroupValue, "NOC");
        await page.InvokeAsync(() => page.Find("[data-testid=group-add]").Click());
        page.WaitForAssertion(() => Assert.Contains("mud-alert-text-error", page.Find("[data-testid=staff-message]").OuterHtml), TimeSpan.FromSeconds(10));

        await TypeAsync(page, Search, "zzz-no-such-name");
        page.WaitForAssertion(() => Assert.Contains("No employees yet.", page.Markup), TimeSpan.FromSeconds(10));
        await TypeAsync(page, Search, "Irina");
        page.WaitForAssertion(() => Assert.Contains("Irina Petrova", page.Find("[data-testid=staff-table]").TextContent), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Import_AGoodFileAddsEveryone_ABadOneImportsNothing()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var (ctx, page) = await RenderAsync(database, Roles.Administrator);
        await using var _ = ctx;
        page.WaitForAssertion(() => Assert.Contains("No employees yet.", page.Markup), TimeSpan.FromSeconds(10));

        var input = page.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>();
        // Not inside InvokeAsync: the upload dispatches to the renderer itself (inside, it waited on itself forever).
        input.UploadFiles(InputFileContent.CreateFromText(
            "name,phone,department\nIvan Ivanov,+79160000011,NOC\nOlga Orlova,+79160000012,NOC\n", "staff.csv"));
        page.WaitForAssertion(() => Assert.Equal("Added 2, updated 0, errors 0.", Message(page)), TimeSpan.FromSeconds(10));
        Assert.Contains("Olga Orlova", page.Find("[data-testid=staff-table]").TextContent);

        input.UploadFiles(InputFileContent.CreateFromText("name,phone\nBad Row,12\n", "bad.csv"));
        page.WaitForAssertion(() => Assert.StartsWith("Nothing imported: 1 errors.", Message(page)), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("Bad Row", page.Find("[data-testid=staff-table]").TextContent);
    }

    [Fact]
    public async Task Manager_SeesThePageMasked()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var (ctx, page) = await RenderAsync(database, Roles.Manager);
        await using var _ = ctx;

        page.WaitForAssertion(() => Assert.Contains("Phones and names are masked for your role.", page.Markup), TimeSpan.FromSeconds(10));
    }
}
