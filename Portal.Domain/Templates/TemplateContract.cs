using Portal.Domain.Clients;

namespace Portal.Domain.Templates;

/// <summary>Campaign-level merge fields a template may use (<c>{{ campaign.name }}</c>, ...).</summary>
public sealed record CampaignMergeFields(string Name, string? SenderId, DateTime SendDateUtc);

public enum SmsAlphabet
{
    Gsm7 = 0,
    Ucs2 = 8,
}

/// <summary>A rendered SMS: its text, the alphabet it needs and how many parts it costs.</summary>
public readonly record struct RenderedSms(string Text, SmsAlphabet Alphabet, int Parts)
{
    /// <summary>Length as the SMS counts it (<see cref="Portal.Domain.Messages.SmsLength.Measure"/>: GSM-7 septets, escapes twice, or UTF-16 units).</summary>
    public int Length { get; init; }
}

/// <summary>A template that does not parse; <see cref="Line"/> and <see cref="Column"/> are 1-based.</summary>
public sealed class TemplateSyntaxException(string message, int line, int column)
    : Exception($"Line {line}, column {column}: {message}")
{
    public string Reason { get; } = message;
    public int Line { get; } = line;
    public int Column { get; } = column;
}

/// <summary>A template that ran into a sandbox limit (steps, recursion, output size) while rendering.</summary>
public sealed class TemplateRenderException(string message) : Exception(message);
