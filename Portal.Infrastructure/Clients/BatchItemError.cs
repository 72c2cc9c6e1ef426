namespace Portal.Infrastructure.Clients;

/// <summary>Why one item of a batch was refused. <see cref="Field"/> is the JSON name, or <c>item</c> for the whole item.</summary>
public sealed record BatchItemError(int Index, string? ExternalId, string Field, string Reason);
