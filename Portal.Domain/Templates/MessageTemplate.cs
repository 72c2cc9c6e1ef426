using Portal.Domain.Common;

namespace Portal.Domain.Templates;

/// <summary>A Liquid message text with merge fields; every change is a new version.</summary>
public sealed class MessageTemplate
{
    private MessageTemplate() { }

    public MessageTemplate(string name, int? departmentId, string body, string createdBy, DateTime at)
    {
        Rename(name);
        DepartmentId = departmentId;
        CreatedBy = createdBy;
        CreatedAt = at;
        ChangeBody(body, at);
        Version = 1;
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public int? DepartmentId { get; private set; }
    public string Body { get; private set; } = "";
    public int Version { get; private set; }
    public string CreatedBy { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }
    /// <summary>The trainee whose training sandbox holds this row; null for real data (issue 18, <see cref="Portal.Domain.Sandbox.SandboxPartition"/>).</summary>
    public string? SandboxOwnerId { get; private set; }

    /// <summary>Places a new row in a trainee's sandbox (never moves real data there: only before it is saved).</summary>
    public void PlaceInSandbox(string ownerId) => SandboxOwnerId = Portal.Domain.Sandbox.SandboxPartition.OwnerOfNewRow(Id, ownerId);


    public void Rename(string name)
    {
        Name = TypedName.Within(name, 200) ?? throw new DomainException("A template name is 1 to 200 characters.");
    }

    /// <summary>The current text as a version record (after the template has its id).</summary>
    public TemplateVersion CurrentVersion(string by) => new(Id, Version, Body, by, UpdatedAt);

    public void ChangeBody(string body, DateTime at)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            throw new DomainException("A template needs text.");
        }
        if (body.Length > 5000)
        {
            throw new DomainException("A template is at most 5,000 characters.");
        }
        Body = body;
        Version++;
        UpdatedAt = at;
    }
}
