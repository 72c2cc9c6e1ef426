using System.Globalization;
using Microsoft.Extensions.Localization;
using Portal.Domain.Common;

namespace Portal.Resources;

/// <summary>
/// Shows a domain error in the user's language: its text is the resource key, and enum values and
/// <see cref="DomainTerm"/>s among its arguments are translated too (ids and names are not).
/// A translation missing from the resources falls back to the English sentence.
/// </summary>
public static class DomainErrorText
{
    public static string Describe(this IStringLocalizer localizer, Exception error)
    {
        if (error is not DomainException domain)
        {
            return localizer[error.Message];
        }
        var args = domain.Args
            .Select(a => a switch
            {
                Enum value => localizer[value.ToString()].Value,
                DomainTerm term => localizer[term.Text].Value,
                _ => a,
            })
            .ToArray();
        return string.Format(CultureInfo.CurrentCulture, localizer[domain.Text].Value, args);
    }
}
