using Portal.Domain.Common;

namespace Portal.Domain.Tours;

/// <summary>
/// A guided tour (issue 18): a key, titles in both languages and versions of its steps. Only the
/// published version is played; editing adds a version, publishing picks one and says to whom
/// (roles and/or named users; nobody named means everyone).
/// </summary>
public sealed class Tour
{
    private Tour() { }

    public Tour(string key, string titleEn, string titleRu, bool builtIn, DateTime at)
    {
        Key = TypedName.Within(key, 64) ?? throw new DomainException("A tour key is 1 to 64 characters.");
        BuiltIn = builtIn;
        CreatedAt = at;
        Rename(titleEn, titleRu);
    }

    public int Id { get; private set; }
    public string Key { get; private set; } = "";
    public string TitleEn { get; private set; } = "";
    public string TitleRu { get; private set; } = "";
    public bool BuiltIn { get; private set; }
    public DateTime CreatedAt { get; private set; }

    /// <summary>The newest version number (0 before the first steps are saved).</summary>
    public int LatestVersion { get; private set; }

    /// <summary>The version users play; null while unpublished.</summary>
    public int? PublishedVersion { get; private set; }

    /// <summary>Roles it is published to, comma-separated; empty with no users means everyone.</summary>
    public string PublishedRoles { get; private set; } = "";

    /// <summary>User ids it is published to, comma-separated.</summary>
    public string PublishedUsers { get; private set; } = "";

    public string Title(bool russian) => russian ? TitleRu : TitleEn;

    public void Rename(string titleEn, string titleRu)
    {
        if (string.IsNullOrWhiteSpace(titleEn) || string.IsNullOrWhiteSpace(titleRu) || titleEn.Length > 200 || titleRu.Length > 200)
        {
            throw new DomainException("A tour needs a title of 1 to 200 characters in English and in Russian.");
        }
        TitleEn = titleEn.Trim();
        TitleRu = titleRu.Trim();
    }

    /// <summary>Records new steps as the next version (not yet published).</summary>
    public TourVersion AddVersion(IReadOnlyList<TourStep> steps, string by, DateTime at)
    {
        if (steps.Count == 0)
        {
            throw new DomainException("A tour needs at least one step.");
        }
        if (steps.SelectMany(s => s.Problems()).FirstOrDefault() is { } problem)
        {
            throw new DomainException(problem);
        }
        LatestVersion++;
        return new TourVersion(Id, LatestVersion, steps, by, at);
    }

    public void Publish(int version, IEnumerable<string> roles, IEnumerable<string> userIds)
    {
        if (version < 1 || version > LatestVersion)
        {
            throw new DomainException("Publish a version that exists.");
        }
        PublishedVersion = version;
        PublishedRoles = string.Join(',', roles.Where(r => !string.IsNullOrWhiteSpace(r)).Distinct());
        PublishedUsers = string.Join(',', userIds.Where(u => !string.IsNullOrWhiteSpace(u)).Distinct());
    }

    public void Unpublish() => PublishedVersion = null;

    public IReadOnlyList<string> Roles => PublishedRoles.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public IReadOnlyList<string> Users => PublishedUsers.Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether a user with these roles plays the published version.</summary>
    public bool IsFor(string userId, IEnumerable<string> roles)
    {
        if (PublishedVersion is null)
        {
            return false;
        }
        if (Roles.Count == 0 && Users.Count == 0)
        {
            return true;
        }
        return Users.Contains(userId) || roles.Any(r => Roles.Contains(r));
    }
}

/// <summary>One saved set of a tour's steps; never changed once written.</summary>
public sealed class TourVersion
{
    private TourVersion() { }

    internal TourVersion(int tourId, int version, IReadOnlyList<TourStep> steps, string by, DateTime at)
    {
        TourId = tourId;
        Version = version;
        Steps = [.. steps];
        CreatedBy = by;
        CreatedAt = at;
    }

    public int Id { get; private set; }
    public int TourId { get; private set; }
    public int Version { get; private set; }
    public List<TourStep> Steps { get; private set; } = [];
    public string CreatedBy { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
}

public enum TourStatus
{
    /// <summary>Offered (the orientation to a new user) but not started.</summary>
    Offered = 0,
    Started = 1,
    Finished = 2,
    Skipped = 3,
}

/// <summary>Where one user is in one tour; survives sign-out and restarts because it lives in the database.</summary>
public sealed class TourProgress
{
    private TourProgress() { }

    public TourProgress(string userId, int tourId, DateTime at)
    {
        UserId = userId;
        TourId = tourId;
        UpdatedAt = at;
        Status = TourStatus.Offered;
    }

    public string UserId { get; private set; } = "";
    public int TourId { get; private set; }
    public int Version { get; private set; }
    public TourStatus Status { get; private set; }

    /// <summary>The last step shown (0-based).</summary>
    public int LastStep { get; private set; }

    public int StepCount { get; private set; }
    public DateTime? StartedAt { get; private set; }
    public DateTime? FinishedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }

    public void Start(int version, int stepCount, DateTime at)
    {
        Version = version;
        StepCount = stepCount;
        Status = TourStatus.Started;
        LastStep = 0;
        StartedAt = at;
        FinishedAt = null;
        UpdatedAt = at;
    }

    public void Reach(int step, DateTime at)
    {
        if (Status != TourStatus.Started)
        {
            return;
        }
        LastStep = Math.Clamp(step, 0, Math.Max(0, StepCount - 1));
        UpdatedAt = at;
    }

    public void Finish(DateTime at)
    {
        Status = TourStatus.Finished;
        LastStep = Math.Max(0, StepCount - 1);
        FinishedAt = at;
        UpdatedAt = at;
    }

    public void Skip(int step, DateTime at)
    {
        if (Status == TourStatus.Finished)
        {
            return;
        }
        Status = TourStatus.Skipped;
        LastStep = Math.Max(0, step);
        UpdatedAt = at;
    }
}

/// <summary>A tour a trainer assigned to a user or a role, with a due date.</summary>
public sealed class TourAssignment
{
    private TourAssignment() { }

    public TourAssignment(int tourId, string? role, string? userId, DateTime? dueAt, string by, DateTime at)
    {
        if (string.IsNullOrWhiteSpace(role) == string.IsNullOrWhiteSpace(userId))
        {
            throw new DomainException("Assign a tour to a role or to a user.");
        }
        TourId = tourId;
        Role = string.IsNullOrWhiteSpace(role) ? null : role;
        UserId = string.IsNullOrWhiteSpace(userId) ? null : userId;
        DueAt = dueAt;
        AssignedBy = by;
        AssignedAt = at;
    }

    public int Id { get; private set; }
    public int TourId { get; private set; }
    public string? Role { get; private set; }
    public string? UserId { get; private set; }
    public DateTime? DueAt { get; private set; }
    public string AssignedBy { get; private set; } = "";
    public DateTime AssignedAt { get; private set; }
}
