using Microsoft.Playwright;

namespace Portal.Tests.EndToEnd;

public static class Popovers
{
    /// <summary>
    /// Closes a multi-select's open list. Escape reaches MudSelect only when the focus is back on its
    /// input, which it is not always right after a click on an item (one CI run in ~20 left the list
    /// open), so when Escape has not closed it, a click on the select's overlay, over the page title, does.
    /// </summary>
    public static async Task CloseOpenListAsync(this IPage page)
    {
        var open = page.Locator(".mud-popover-open .mud-list-item");
        await page.Keyboard.PressAsync("Escape");
        for (var attempt = 0; attempt < 5 && await StillOpenAsync(open); attempt++)
        {
            // The page title lies under the select's overlay (the app bar sits above it).
            var title = await page.Locator("#page-title").BoundingBoxAsync();
            await page.Mouse.ClickAsync(title!.X + 4, title.Y + title.Height / 2);
        }
        await Assertions.Expect(open).ToHaveCountAsync(0);
    }

    private static async Task<bool> StillOpenAsync(ILocator open)
    {
        try
        {
            await Assertions.Expect(open).ToHaveCountAsync(0, new() { Timeout = 2_000 });
            return false;
        }
        catch (PlaywrightException)
        {
            return true;
        }
    }
}
