namespace Portal.Domain.Templates;

/// <summary>
/// One saved text of a template, kept forever: a campaign's body snapshot can be traced back to it,
/// and an editor can restore it (restoring saves it again as the newest version).
/// </summary>
public sealed class TemplateVersion
{
    private TemplateVersion() { }

    public TemplateVersion(int templateId, int version, string body, string createdBy, DateTime createdAt)
    {
        TemplateId = templateId;
        Version = version;
        Body = body;
        CreatedBy = createdBy;
        CreatedAt = createdAt;
    }

    public long Id { get; private set; }
    public int TemplateId { get; private set; }
    public int Version { get; private set; }
    public string Body { get; private set; } = "";
    public string CreatedBy { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
}
