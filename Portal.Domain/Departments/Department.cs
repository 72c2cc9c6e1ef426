namespace Portal.Domain.Departments;

/// <summary>A company department: its users see and run its own campaigns.</summary>
public sealed class Department
{
    private Department() { }

    public Department(string name)
    {
        Rename(name);
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";

    public void Rename(string name)
    {
        Name = Common.TypedName.Within(name, 100) ?? throw new Common.DomainException("A department name is 1 to 100 characters.");
    }
}
