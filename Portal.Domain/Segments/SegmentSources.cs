using Portal.Domain.Clients;
using Portal.Domain.Messages;

namespace Portal.Domain.Segments;

/// <summary>
/// The sets that criteria over other tables look into. The infrastructure passes EF's sets
/// (<c>db.ClientEvents</c>...), so the compiled predicate becomes <c>EXISTS</c> subqueries in one
/// SQL statement; tests may pass in-memory sets. The domain never sees EF.
/// </summary>
public sealed record SegmentSources(
    IQueryable<ClientEvent> Events,
    IQueryable<ClientTag> Tags,
    IQueryable<ClientAttribute> Attributes,
    IQueryable<Message> Messages,
    IQueryable<InboundMessage> Replies,
    IQueryable<StaticListMember> ListMembers)
{
    public static SegmentSources Empty { get; } = new(
        Enumerable.Empty<ClientEvent>().AsQueryable(), Enumerable.Empty<ClientTag>().AsQueryable(),
        Enumerable.Empty<ClientAttribute>().AsQueryable(), Enumerable.Empty<Message>().AsQueryable(),
        Enumerable.Empty<InboundMessage>().AsQueryable(), Enumerable.Empty<StaticListMember>().AsQueryable());
}

/// <summary>
/// What a rule is checked and compiled against: the time "now" (relative dates become
/// parameters computed from it), the sets above, and what exists (attributes, saved segments,
/// lists, campaigns) so a reference to something missing is a clear error, not an empty audience.
/// </summary>
public sealed record SegmentContext(DateTime Now, SegmentSources Sources)
{
    public IReadOnlyDictionary<string, AttributeDefinition> Attributes { get; init; } = new Dictionary<string, AttributeDefinition>();
    public IReadOnlyDictionary<int, Segment> Segments { get; init; } = new Dictionary<int, Segment>();
    /// <summary>Known static list ids; null = not checked.</summary>
    public IReadOnlySet<int>? StaticLists { get; init; }
    /// <summary>Known campaign ids; null = not checked.</summary>
    public IReadOnlySet<int>? Campaigns { get; init; }
    /// <summary>
    /// Compile event criteria of the common types to the clients' roll-up columns (true, the
    /// default) or always to <c>EXISTS</c> over the events (false: the reference the roll-ups are
    /// tested against, and what in-memory clients without roll-ups need).
    /// </summary>
    public bool EventRollups { get; init; } = true;
}
