using System.Text.Json;
using Portal.Domain.Clients;

namespace Portal.Infrastructure.Clients;

/// <summary>
/// The fields one batch item sets on a client, already parsed and checked on their own. Fields the
/// item did not mention are left as they are; a mentioned <c>null</c> clears.
/// </summary>
public sealed class ClientPatch(int index, string externalId)
{
    public int Index { get; } = index;
    public string ExternalId { get; } = externalId;
    public PhoneNumber? Phone { get; set; }
    /// <summary>Simple field assignments, applied in order.</summary>
    public List<Action<Client>> Setters { get; } = [];
    public ClientStatus? Status { get; set; }
    public bool SetsRegion { get; set; }
    public string? RegionCode { get; set; }
    public string? TimeZone { get; set; }
    public DateTime? RegisteredAt { get; set; }
    /// <summary>When present, the client's whole tag set.</summary>
    public IReadOnlyCollection<string>? Tags { get; set; }
    /// <summary>Custom attributes by key; a JSON null removes the value. Typed against the definitions when applied.</summary>
    public Dictionary<string, JsonElement>? Attributes { get; set; }
}
