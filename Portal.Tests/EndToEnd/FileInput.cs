using Microsoft.Playwright;

namespace Portal.Tests.EndToEnd;

public static class FileInput
{
    /// <summary>
    /// Chooses a file in a Blazor <c>InputFile</c> once Blazor listens to it. The page is interactive
    /// (#portal-interactive) one round trip before InputFile's after-render JS call attaches its
    /// change listener; a file set in between is dropped without a trace (a CI flake of the journey
    /// test). Blazor's init marks the element with <c>_blazorInputFileNextFileId</c>, so wait for that.
    /// </summary>
    public static async Task ChooseFileAsync(this ILocator input, string path)
    {
        await input.WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var handle = await input.ElementHandleAsync();
        await input.Page.WaitForFunctionAsync("e => e._blazorInputFileNextFileId !== undefined", handle);
        await input.SetInputFilesAsync(path);
    }
}
