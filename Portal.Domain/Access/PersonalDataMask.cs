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

    /// <summary>
    /// Free text a client wrote (a reply): each word keeps its first letter, every other letter and
    /// every digit becomes <c>*</c>, so a name, address, card or phone number in it cannot be read
    /// while its length and shape (a one-word keyword, a long complaint) still show.
    /// </summary>
    public static string Text(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var chars = text.ToCharArray();
        var wordStart = true;
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            if (char.IsDigit(c))
            {
                chars[i] = '*';
                wordStart = false;
            }
            else if (char.IsLetter(c))
            {
                if (!wordStart) chars[i] = '*';
                wordStart = false;
            }
            else
            {
                wordStart = true;
            }
        }
        return new string(chars);
    }

    /// <summary>Evidence or a custom attribute's value: nothing of it is shown to a masked role.</summary>
    public const string Hidden = "•••";
}
