using System.Text.RegularExpressions;
using Portal.Domain.Common;

namespace Portal.Domain.Campaigns;

/// <summary>The campaign's own limits and rules, validated together (<see cref="CampaignSettings.Validate"/>).</summary>
public static partial class CampaignRules
{
    public const int MaxControlGroupPercent = 50;
    public const int DefaultQuietFromMinute = 21 * 60;
    public const int DefaultQuietToMinute = 9 * 60;
    public const int DefaultValidityHours = 24;
    public const int MaxValidityHours = 72;

    /// <summary>Alphanumeric up to 11 characters (3GPP TS 23.040), or a number of up to 15 digits.</summary>
    public static void ValidateSenderId(string? senderId)
    {
        if (senderId is null) return;
        if (NumericSender().IsMatch(senderId)) return;
        if (!AlphaSender().IsMatch(senderId) || !senderId.Any(char.IsLetter))
        {
            throw new DomainException("A sender id is up to 11 Latin letters, digits, spaces, '.', '-' or '_' with at least one letter, or a number of up to 15 digits.");
        }
    }

    [GeneratedRegex(@"^\+?[0-9]{3,15}$")]
    private static partial Regex NumericSender();

    [GeneratedRegex(@"^[A-Za-z0-9 ._\-]{1,11}$")]
    private static partial Regex AlphaSender();
}
