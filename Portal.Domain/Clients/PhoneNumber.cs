using PhoneNumbers;

namespace Portal.Domain.Clients;

/// <summary>A mobile number in E.164 (<c>+79161234567</c>), validated with libphonenumber.</summary>
public readonly record struct PhoneNumber
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    private PhoneNumber(string e164) => Value = e164;

    public string Value { get; }

    public override string ToString() => Value;

    /// <summary>Parses what a person or a CRM typed; Russian numbers may omit the country code.</summary>
    /// <param name="error">Why the input is not a usable mobile number, when it is not.</param>
    public static bool TryParse(string? input, out PhoneNumber phone, out string? error, string defaultRegion = "RU")
    {
        phone = default;
        if (string.IsNullOrWhiteSpace(input))
        {
            error = "The phone number is empty.";
            return false;
        }
        // libphonenumber reads keypad letters as digits ("+7 999 ABC 12 34" is +79992221234): a
        // letter in a phone is a typo or a vanity number, never a stranger's number to store.
        if (input.Any(char.IsLetter))
        {
            error = $"'{input.Trim()}' is not a phone number: it contains letters (a phone number is digits only).";
            return false;
        }
        try
        {
            var parsed = Util.Parse(input.Trim(), defaultRegion);
            if (!Util.IsValidNumber(parsed))
            {
                error = $"'{input.Trim()}' is not a valid phone number.";
                return false;
            }
            var type = Util.GetNumberType(parsed);
            if (type is not (PhoneNumberType.MOBILE or PhoneNumberType.FIXED_LINE_OR_MOBILE))
            {
                error = $"'{input.Trim()}' is not a mobile number.";
                return false;
            }
            phone = new PhoneNumber(Util.Format(parsed, PhoneNumberFormat.E164));
            error = null;
            return true;
        }
        catch (NumberParseException e)
        {
            error = $"'{input.Trim()}' is not a phone number ({e.ErrorType}).";
            return false;
        }
    }

    public static PhoneNumber Parse(string input) =>
        TryParse(input, out var phone, out var error) ? phone : throw new Common.DomainException(error!);

    /// <summary>For values already stored in E.164 by this class: no re-validation.</summary>
    public static PhoneNumber FromTrusted(string e164) => new(e164);
}
