using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Portal.Infrastructure.Cluster;

/// <summary>What a node does (issue 13). Any combination; every role when <c>Node:Roles</c> is absent.</summary>
[Flags]
public enum NodeRole
{
    None = 0,

    /// <summary>The UI pages, the account endpoints and the HTTP API. Without it a node answers <c>/health</c> only.</summary>
    Web = 1,

    /// <summary>Quartz: campaign triggers and their reconciliation, scheduled syncs, retention, and conversion attribution.</summary>
    Scheduler = 2,

    /// <summary>The chunk, receipt and inbound consumers, provider connections, the sweeper and the embedded simulator.</summary>
    Sender = 4,

    All = Web | Scheduler | Sender,
}

/// <summary>
/// <c>Node:Roles</c>, e.g. <c>web,scheduler</c>: read once when the host is built, because the
/// roles decide which hosted services and endpoints are registered at all (a role that is off
/// costs nothing, and nothing of it can start by accident).
/// </summary>
public sealed record NodeRoles(NodeRole Roles)
{
    public const string Section = "Node";
    public const string Key = "Node:Roles";

    public bool Web => Roles.HasFlag(NodeRole.Web);
    public bool Scheduler => Roles.HasFlag(NodeRole.Scheduler);
    public bool Sender => Roles.HasFlag(NodeRole.Sender);

    public static NodeRoles From(IConfiguration configuration) => new(Parse(configuration[Key]));

    /// <summary>Absent or blank: all roles. Unknown names or an explicit empty list stop the start with the reason.</summary>
    public static NodeRole Parse(string? value)
    {
        if (value is null || value.Trim().Length == 0)
        {
            return NodeRole.All;
        }
        var roles = NodeRole.None;
        foreach (var name in value.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            roles |= name.ToLowerInvariant() switch
            {
                "web" => NodeRole.Web,
                "scheduler" => NodeRole.Scheduler,
                "sender" => NodeRole.Sender,
                "all" => NodeRole.All,
                _ => throw new OptionsValidationException(Section, typeof(NodeRoles),
                    [$"{Key}: unknown role '{name}'; use any of web, scheduler, sender (comma-separated)."]),
            };
        }
        return roles;
    }

    public override string ToString() => Roles == NodeRole.All ? "web,scheduler,sender"
        : string.Join(",", new[] { (Web, "web"), (Scheduler, "scheduler"), (Sender, "sender") }.Where(r => r.Item1).Select(r => r.Item2));
}
