namespace Portal.Domain.Access;

/// <summary>
/// How personal data looks to a role without the personal-data permission: enough to tell
/// records apart, not enough to identify a person.
/// </summary>
public static class PersonalDataMask
{
    /// <summary><c>+79161234567</c> becomes <c>+7916*****67</c>.</summary>
    public static string Phone(string? e164)
    {
        if (string.IsNullOrEmpty(e164))
        {
            return "";
        }
        if (e164.Length <= 6)
        {
            return new string('*', e164.Length);
        }
        var head = Math.Min(5, e164.Length - 4);
        return string.Concat(e164.AsSpan(0, head), new string('*', e164.Length - head - 2), e164.AsSpan(e164.Length - 2));
    }

    /// <summary><c>Иванов</c> becomes <c>И*****</c>.</summary>
    public static string Name(string? name) =>
        string.IsNullOrEmpty(name) ? "" : string.Concat(name.AsSpan(0, 1), new string('*', name.Length - 1));
}
