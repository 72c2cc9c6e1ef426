using System.ComponentModel.DataAnnotations;

namespace Portal.Infrastructure.Inbound;

/// <summary>Configuration section "Inbound": how replies from clients are read and answered (issue 7, item 5).</summary>
public sealed class InboundOptions
{
    public const string Section = "Inbound";

    /// <summary>Opt-out keywords on top of the built-in ones (STOP, СТОП, ОТПИСКА …); a phrase matches only as the whole message.</summary>
    public List<string> OptOutKeywords { get; set; } = [];

    /// <summary>The one SMS confirming an opt-out; null sends none.</summary>
    public string? OptOutConfirmation { get; set; }

    /// <summary>The one SMS confirming a resubscription (START); null sends none.</summary>
    public string? OptInConfirmation { get; set; }

    /// <summary>
    /// At most one automatic SMS (confirmation or keyword reply) per client within this time, so two
    /// robots answering each other cannot loop and a client hammering BALANCE costs one SMS.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan AutoReplyInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The sender of automatic replies when the inbound SMS does not say which number it was sent to.</summary>
    [Required]
    public string ReplySender { get; set; } = "Portal";

    /// <summary>
    /// How long the parts of a concatenated MO message are awaited; then the parts that came are
    /// published as they are (an opt-out in the first part must not be lost with a missing third).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "3650.00:00:00", ErrorMessage = "{0} must be a positive time span.")]
    public TimeSpan PartTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
