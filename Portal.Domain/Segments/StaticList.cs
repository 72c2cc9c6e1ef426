using Portal.Domain.Common;

namespace Portal.Domain.Segments;

/// <summary>A fixed set of clients uploaded from a file of phones or external ids; audiences can include or exclude it.</summary>
public sealed class StaticList
{
    private StaticList() { }

    public StaticList(string name, int? departmentId, string createdBy, DateTime at)
    {
        Name = TypedName.Within(name, 200) ?? throw new DomainException("A list name is 1 to 200 characters.");
        DepartmentId = departmentId;
        CreatedBy = createdBy;
        CreatedAt = at;
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public int? DepartmentId { get; private set; }
    public int MemberCount { get; set; }
    public string CreatedBy { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
}

public sealed class StaticListMember
{
    private StaticListMember() { }

    public StaticListMember(int listId, long clientId)
    {
        ListId = listId;
        ClientId = clientId;
    }

    public int ListId { get; private set; }
    public long ClientId { get; private set; }
}
