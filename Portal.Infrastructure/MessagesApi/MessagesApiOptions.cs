using System.ComponentModel.DataAnnotations;
using Portal.Domain.Messages;

namespace Portal.Infrastructure.MessagesApi;

/// <summary>Configuration section "MessagesApi": the send API (issue 19).</summary>
public sealed class MessagesApiOptions
{
    public const string Section = "MessagesApi";

    [Range(1, 1000)]
    public int MaxBatch { get; set; } = 1000;

    /// <summary>Idempotency keys are kept at least this long (the issue asks for 24 h).</summary>
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromHours(48);

    /// <summary>Validity when a request names none.</summary>
    public TimeSpan DefaultValidity { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan MaxValidity { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Sender id when a request names none.</summary>
    [Required, MaxLength(11)]
    public string DefaultSenderId { get; set; } = "Portal";

    public TimeSpan CallbackInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan CallbackFirstRetry { get; set; } = TimeSpan.FromSeconds(2);

    [Range(1, 100)]
    public int CallbackMaxAttempts { get; set; } = 12;

    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Names the API uses for message states (lower-case, stable).</summary>
public static class MessagesApiJson
{
    public static string StatusName(MessageStatus status) => status switch
    {
        MessageStatus.Queued => "queued",
        MessageStatus.Deferred => "deferred",
        MessageStatus.Control => "control",
        MessageStatus.Submitting => "submitting",
        MessageStatus.Submitted => "submitted",
        MessageStatus.Delivered => "delivered",
        MessageStatus.Undeliverable => "undeliverable",
        MessageStatus.Expired => "expired",
        MessageStatus.Rejected => "rejected",
        MessageStatus.Uncertain => "uncertain",
        MessageStatus.Unknown => "unknown",
        MessageStatus.Cancelled => "cancelled",
        _ => "unknown",
    };
}
