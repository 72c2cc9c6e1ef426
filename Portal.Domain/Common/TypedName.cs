namespace Portal.Domain.Common;

/// <summary>A name or title a user typed (of an audience, a template, a provider…).</summary>
public static class TypedName
{
    /// <summary>
    /// The name trimmed, or null when it is blank or longer than <paramref name="max"/> once trimmed;
    /// the caller throws its own error after <c>??</c> (a literal such as "A segment name is 1 to 200 characters."),
    /// so each entity's message stays a literal resource key.
    /// </summary>
    public static string? Within(string? name, int max)
    {
        var trimmed = name?.Trim();
        return string.IsNullOrEmpty(trimmed) || trimmed.Length > max ? null : trimmed;
    }
}
