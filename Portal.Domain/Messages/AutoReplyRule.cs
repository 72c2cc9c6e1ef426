using Portal.Domain.Common;

namespace Portal.Domain.Messages;

/// <summary>
/// "Reply <see cref="Reply"/> to an inbound SMS whose first word is <see cref="Keyword"/>" (e.g.
/// BALANCE, HELP). Opt-out and opt-in keywords are built in and handled before these rules.
/// </summary>
public sealed class AutoReplyRule
{
    private AutoReplyRule() { }

    public AutoReplyRule(string keyword, string reply, DateTime createdAt)
    {
        Change(keyword, reply);
        CreatedAt = createdAt;
    }

    public int Id { get; private set; }
    /// <summary>Upper case, one word, compared case-insensitively.</summary>
    public string Keyword { get; private set; } = "";
    public string Reply { get; private set; } = "";
    public bool Enabled { get; set; } = true;
    public DateTime CreatedAt { get; private set; }

    public void Change(string keyword, string reply)
    {
        var k = (keyword ?? "").Trim();
        if (k.Length is 0 or > 30 || k.Any(char.IsWhiteSpace))
        {
            throw new DomainException("An auto-reply keyword is one word of 1 to 30 characters.");
        }
        if (string.IsNullOrWhiteSpace(reply) || reply.Length > 1000)
        {
            throw new DomainException("An auto-reply text is 1 to 1,000 characters.");
        }
        Keyword = k.ToUpperInvariant();
        Reply = reply.Trim();
    }
}
