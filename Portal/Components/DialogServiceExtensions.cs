using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Portal.Components;

/// <summary>The two message boxes pages share: a question before an action, and a secret shown once.</summary>
public static class DialogServiceExtensions
{
    /// <summary>Asks before an action that can't be taken back; true only when the user chose <paramref name="yes"/>.</summary>
    public static async Task<bool> ConfirmAsync(this IDialogService dialogs, string title, string question, string yes, string no) =>
        await dialogs.ShowMessageBoxAsync(title, question, yes, cancelText: no) == true;

    /// <summary>Shows a generated secret (an API key, a temporary password) the only time it is ever shown.</summary>
    public static Task ShowSecretOnceAsync(this IDialogService dialogs, string title, string explanation, string testId, string secret, string done) =>
        dialogs.ShowMessageBoxAsync(title,
            (MarkupString)$"{System.Net.WebUtility.HtmlEncode(explanation)}<br/><code data-testid=\"{testId}\" style=\"word-break: break-all\">{System.Net.WebUtility.HtmlEncode(secret)}</code>",
            done);
}
