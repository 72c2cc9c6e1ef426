using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Segments;
using Portal.Domain.Templates;

namespace Portal.Infrastructure.Persistence;

/// <summary>
/// Issue 18: the rows of one partition (ADR 0015): null is the real data, a user id that trainee's
/// sandbox. Written as two literal predicates rather than one comparison with a nullable parameter,
/// so the real side stays <c>"SandboxOwnerId" IS NULL</c> on both providers and keeps using the
/// partial indexes the TrainingSandbox migration made.
/// </summary>
public static class PartitionQueries
{
    public static IQueryable<Client> InPartition(this IQueryable<Client> clients, string? sandboxOwnerId) =>
        sandboxOwnerId is null ? clients.Where(c => c.SandboxOwnerId == null) : clients.Where(c => c.SandboxOwnerId == sandboxOwnerId);

    public static IQueryable<Segment> InPartition(this IQueryable<Segment> segments, string? sandboxOwnerId) =>
        sandboxOwnerId is null ? segments.Where(s => s.SandboxOwnerId == null) : segments.Where(s => s.SandboxOwnerId == sandboxOwnerId);

    public static IQueryable<MessageTemplate> InPartition(this IQueryable<MessageTemplate> templates, string? sandboxOwnerId) =>
        sandboxOwnerId is null ? templates.Where(t => t.SandboxOwnerId == null) : templates.Where(t => t.SandboxOwnerId == sandboxOwnerId);

    public static IQueryable<Campaign> InPartition(this IQueryable<Campaign> campaigns, string? sandboxOwnerId) =>
        sandboxOwnerId is null ? campaigns.Where(c => c.SandboxOwnerId == null) : campaigns.Where(c => c.SandboxOwnerId == sandboxOwnerId);
}
