using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Resources;

namespace Portal.Tests.Components;

/// <summary>MudBlazor's own texts follow the user's language (issue 20, item 11).</summary>
public class MudTextsTests
{
    [Theory]
    [InlineData("ru", "Строк на странице")]
    [InlineData("en", "Rows per page")]
    public async Task DataGridPager_SpeaksTheUsersLanguage(string culture, string expected)
    {
        var (ui, current) = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = new CultureInfo(culture);
        try
        {
            await using var ctx = new BunitContext();
            ctx.JSInterop.Mode = JSRuntimeMode.Loose;
            ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
            ctx.Services.AddLocalization();
            ctx.Services.AddTransient<MudLocalizer, PortalMudLocalizer>();

            var grid = ctx.Render<MudDataGrid<int>>(p => p
                .Add(g => g.Items, Enumerable.Range(1, 30).ToList())
                .Add(g => g.PagerContent, b =>
                {
                    b.OpenComponent<MudDataGridPager<int>>(0);
                    b.CloseComponent();
                }));

            Assert.Contains(expected, grid.Markup);
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = (ui, current);
        }
    }
}
