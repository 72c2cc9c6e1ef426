using System.Diagnostics;
using Microsoft.Extensions.Localization;

namespace Portal.Components.Pages;

/// <summary>
/// Issue 14 (ASVS V16.5.1): an error the user cannot act on is shown in words with a reference,
/// never with the exception's text (which can carry host names, SQL, or a row's values); the
/// exception itself goes to the log under the same reference, so support can find it.
/// </summary>
public static class UnexpectedError
{
    /// <summary>Logs <paramref name="error"/> under a new reference and returns the localized text to show.</summary>
    /// <param name="operation">What was being done, for the log (no personal data).</param>
    public static string Report(IStringLocalizer localizer, ILogger logger, Exception error, string operation)
    {
        // The request's trace id when there is one (it ties the line to the rest of the request's
        // log), else a fresh id; 12 characters are enough to find one line and easy to read out.
        var reference = (Activity.Current?.TraceId.ToHexString() ?? Guid.NewGuid().ToString("N"))[..12];
        logger.LogError(error, "{Operation} failed; reference {Reference}", operation, reference);
        return localizer["Something went wrong and the action did not complete. Reference for the administrator: {0}.", reference];
    }

    /// <summary>True for exceptions whose message is not written for users: everything but the domain's refusals and cancellation.</summary>
    public static bool IsUnexpected(Exception error) =>
        error is not (Portal.Domain.Common.DomainException or OperationCanceledException);
}
