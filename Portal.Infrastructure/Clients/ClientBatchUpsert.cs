using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Imports;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Clients;

public enum UpsertOutcome
{
    Created = 1,
    Updated = 2,
    Failed = 3,
}

/// <summary>What happened to one item; <see cref="ClientId"/> is set once applied.</summary>
public sealed record UpsertItemResult(int Index, string? ExternalId, UpsertOutcome Outcome, long? ClientId);

/// <param name="Applied">Whether anything was written (false: atomic with errors, or every item failed).</param>
public sealed record UpsertResult(IReadOnlyList<UpsertItemResult> Items, IReadOnlyList<BatchItemError> Errors, bool Applied)
{
    public int Created => Items.Count(i => i.Outcome == UpsertOutcome.Created);
    public int Updated => Items.Count(i => i.Outcome == UpsertOutcome.Updated);
    public int Failed => Items.Count(i => i.Outcome == UpsertOutcome.Failed);
}

/// <summary>
/// Creates or updates a batch of clients by external id, set-based: the batch's clients are read in
/// one query, its phone conflicts in another, and everything is written in one transaction, so a
/// failing batch leaves nothing behind. Items are either applied whole or refused whole.
/// </summary>
public sealed class ClientBatchUpsert(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock, ILogger<ClientBatchUpsert> logger)
{
    /// <param name="patches">The items that parsed; <paramref name="parseErrors"/> holds the others' reasons.</param>
    /// <param name="atomic">All or nothing: any error refuses the whole batch.</param>
    public async Task<UpsertResult> UpsertAsync(IReadOnlyList<ClientPatch> patches, IReadOnlyList<BatchItemError> parseErrors, int itemCount, bool atomic, CancellationToken ct)
    {
        var errors = new List<BatchItemError>(parseErrors);
        var now = clock.GetUtcNow().UtcDateTime;

        foreach (var group in patches.GroupBy(p => p.ExternalId, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var indexes = string.Join(", ", group.Select(p => p.Index));
            errors.AddRange(group.Select(p => new BatchItemError(p.Index, p.ExternalId, "externalId", $"The external id appears more than once in the batch (items {indexes}).")));
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var definitions = patches.Any(p => p.Attributes is { Count: > 0 })
            ? await db.AttributeDefinitions.AsNoTracking().ToDictionaryAsync(d => d.Key, ct)
            : [];
        var externalIds = patches.Select(p => p.ExternalId).Distinct().ToList();
        var existing = await db.Clients.Where(c => c.ExternalId != null && externalIds.Contains(c.ExternalId))
            .ToDictionaryAsync(c => c.ExternalId!, StringComparer.Ordinal, ct);

        foreach (var p in patches)
        {
            if (p.Phone is null && !existing.ContainsKey(p.ExternalId))
            {
                errors.Add(new(p.Index, p.ExternalId, "phone", "A new client needs a phone number."));
            }
            foreach (var (key, value) in p.Attributes ?? [])
            {
                if (!definitions.TryGetValue(key, out var definition))
                {
                    errors.Add(new(p.Index, p.ExternalId, $"attributes.{key}", $"Unknown attribute '{key}': define it first."));
                }
                else if (TypedValue(definition, value, out _) is { } reason)
                {
                    errors.Add(new(p.Index, p.ExternalId, $"attributes.{key}", reason));
                }
            }
        }
        await CheckPhonesAsync(db, patches, existing, errors, ct);

        var failed = errors.Select(e => e.Index).ToHashSet();
        var good = patches.Where(p => !failed.Contains(p.Index)).ToList();
        if (good.Count == 0 || (atomic && errors.Count > 0))
        {
            return new(Results(itemCount, patches, errors, []), Sorted(errors), Applied: false);
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var applied = new Dictionary<int, (Client Client, bool Created)>();
        foreach (var p in good)
        {
            var created = !existing.TryGetValue(p.ExternalId, out var client);
            client ??= db.Clients.Add(new Client(p.Phone!.Value, null, null, p.RegisteredAt ?? now) { ExternalId = p.ExternalId }).Entity;
            Apply(client, p, now);
            applied[p.Index] = (client, created);
        }
        db.ChangeTracker.DetectChanges();
        foreach (var (client, _) in applied.Values.Where(a => !a.Created))
        {
            var entry = db.Entry(client);
            if (entry.State == EntityState.Modified)
            {
                entry.Property(c => c.UpdatedAt).CurrentValue = now;
            }
        }
        // Tags and attributes need the new clients' ids: a second save, same transaction.
        await db.SaveChangesAsync(ct);
        await ApplyTagsAsync(db, good, applied, ct);
        await ApplyAttributesAsync(db, good, applied, definitions, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);

        var results = Results(itemCount, patches, errors, applied.ToDictionary(a => a.Key, a => (a.Value.Client.Id, a.Value.Created)));
        var result = new UpsertResult(results, Sorted(errors), Applied: true);
        logger.LogInformation("Client upsert: {Created} created, {Updated} updated, {Failed} refused", result.Created, result.Updated, result.Failed);
        return result;
    }

    private static async Task CheckPhonesAsync(PortalDbContext db, IReadOnlyList<ClientPatch> patches, Dictionary<string, Client> existing, List<BatchItemError> errors, CancellationToken ct)
    {
        var withPhone = patches.Where(p => p.Phone is not null).ToList();
        foreach (var group in withPhone.GroupBy(p => p.Phone!.Value.Value).Where(g => g.Count() > 1))
        {
            var indexes = string.Join(", ", group.Select(p => p.Index));
            errors.AddRange(group.Select(p => new BatchItemError(p.Index, p.ExternalId, "phone", $"The phone number appears more than once in the batch (items {indexes}).")));
        }
        var phones = withPhone.Select(p => p.Phone!.Value.Value).Distinct().ToList();
        if (phones.Count == 0)
        {
            return;
        }
        var owners = await db.Clients.AsNoTracking().Where(c => phones.Contains(c.Phone))
            .Select(c => new { c.Phone, c.Id }).ToDictionaryAsync(c => c.Phone, c => c.Id, ct);
        foreach (var p in withPhone)
        {
            if (owners.TryGetValue(p.Phone!.Value.Value, out var ownerId) &&
                !(existing.TryGetValue(p.ExternalId, out var self) && self.Id == ownerId))
            {
                errors.Add(new(p.Index, p.ExternalId, "phone", "The phone number belongs to another client."));
            }
        }
    }

    private static void Apply(Client client, ClientPatch p, DateTime now)
    {
        if (p.Phone is { } phone && phone.Value != client.Phone)
        {
            client.ChangePhone(phone);
        }
        foreach (var set in p.Setters)
        {
            set(client);
        }
        if (p.RegisteredAt is { } registered)
        {
            client.RegisteredAt = registered;
        }
        if (p.SetsRegion)
        {
            client.RegionCode = p.RegionCode;
        }
        if (p.TimeZone is not null)
        {
            client.TimeZone = p.TimeZone;
        }
        else if (p.SetsRegion)
        {
            client.TimeZone = RussianRegions.TimeZoneOf(p.RegionCode);
        }
        switch (p.Status)
        {
            case null: break;
            case var s when s == client.Status: break;
            case ClientStatus.Active: client.Activate(now); break;
            case ClientStatus.Inactive: client.Deactivate(now); break;
            case ClientStatus.Blocked: client.Block(now); break;
            case ClientStatus.Erased: throw new DomainException("Erase a client through the erasure endpoint.");
            default: throw new DomainException("Unknown status {0}.", p.Status);
        }
    }

    private static async Task ApplyTagsAsync(PortalDbContext db, List<ClientPatch> good, Dictionary<int, (Client Client, bool Created)> applied, CancellationToken ct)
    {
        var tagged = good.Where(p => p.Tags is not null).ToList();
        if (tagged.Count == 0)
        {
            return;
        }
        var ids = tagged.Select(p => applied[p.Index].Client.Id).ToList();
        var current = (await db.ClientTags.Where(t => ids.Contains(t.ClientId)).ToListAsync(ct)).ToLookup(t => t.ClientId);
        foreach (var p in tagged)
        {
            var id = applied[p.Index].Client.Id;
            var wanted = p.Tags!.Select(t => t.Trim().ToLowerInvariant()).ToHashSet();
            db.ClientTags.RemoveRange(current[id].Where(t => !wanted.Contains(t.Tag)));
            var have = current[id].Select(t => t.Tag).ToHashSet();
            db.ClientTags.AddRange(wanted.Where(t => !have.Contains(t)).Select(t => new ClientTag(id, t)));
        }
    }

    private static async Task ApplyAttributesAsync(PortalDbContext db, List<ClientPatch> good, Dictionary<int, (Client Client, bool Created)> applied,
        Dictionary<string, AttributeDefinition> definitions, CancellationToken ct)
    {
        var withAttributes = good.Where(p => p.Attributes is { Count: > 0 }).ToList();
        if (withAttributes.Count == 0)
        {
            return;
        }
        var ids = withAttributes.Select(p => applied[p.Index].Client.Id).ToList();
        var current = await db.ClientAttributes.Where(a => ids.Contains(a.ClientId)).ToDictionaryAsync(a => (a.ClientId, a.DefinitionId), ct);
        foreach (var p in withAttributes)
        {
            var id = applied[p.Index].Client.Id;
            foreach (var (key, json) in p.Attributes!)
            {
                var definition = definitions[key];
                TypedValue(definition, json, out var value);
                current.TryGetValue((id, definition.Id), out var row);
                if (value is null)
                {
                    if (row is not null)
                    {
                        db.ClientAttributes.Remove(row);
                    }
                }
                else if (row is null)
                {
                    db.ClientAttributes.Add(new ClientAttribute(id, definition.Id, value.Text, value.Number, value.Date, value.Boolean));
                }
                else
                {
                    // The entity's setters are private; the typed columns are replaced as a whole.
                    var entry = db.Entry(row);
                    entry.Property(a => a.Text).CurrentValue = value.Text;
                    entry.Property(a => a.Number).CurrentValue = value.Number;
                    entry.Property(a => a.Date).CurrentValue = value.Date;
                    entry.Property(a => a.Boolean).CurrentValue = value.Boolean;
                }
            }
        }
    }

    private sealed record AttributeValue(string? Text, decimal? Number, DateTime? Date, bool? Boolean);

    /// <returns>Why the value does not fit the definition's type, or null when it does (value null = remove).</returns>
    private static string? TypedValue(AttributeDefinition definition, JsonElement json, out AttributeValue? value)
    {
        value = null;
        if (json.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        switch (definition.Type)
        {
            case AttributeType.Text when json.ValueKind == JsonValueKind.String:
                var text = json.GetString()!;
                if (text.Length > AttributeValues.MaxTextLength)
                {
                    return AttributeValues.TooLong;
                }
                value = new(text, null, null, null);
                return null;
            case AttributeType.Number when json.ValueKind == JsonValueKind.Number && json.TryGetDecimal(out var number):
                value = new(null, number, null, null);
                return null;
            case AttributeType.Date when json.ValueKind == JsonValueKind.String &&
                                         DateTime.TryParse(json.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date):
                value = new(null, null, date, null);
                return null;
            case AttributeType.Boolean when json.ValueKind is JsonValueKind.True or JsonValueKind.False:
                value = new(null, null, null, json.GetBoolean());
                return null;
            default:
                return definition.Type switch
                {
                    AttributeType.Text => "Expected a string.",
                    AttributeType.Number => "Expected a number.",
                    AttributeType.Date => "Expected an ISO 8601 date (yyyy-MM-dd or a date and time).",
                    AttributeType.Boolean => "Expected true or false.",
                    _ => $"Unsupported attribute type {definition.Type}.",
                };
        }
    }

    private static List<UpsertItemResult> Results(int itemCount, IReadOnlyList<ClientPatch> patches, List<BatchItemError> errors, Dictionary<int, (long Id, bool Created)> applied)
    {
        var byIndex = new Dictionary<int, string?>();
        foreach (var e in errors)
        {
            byIndex.TryAdd(e.Index, e.ExternalId);
        }
        foreach (var p in patches)
        {
            byIndex[p.Index] = p.ExternalId;
        }
        return Enumerable.Range(0, itemCount).Select(i =>
        {
            byIndex.TryGetValue(i, out var externalId);
            return applied.TryGetValue(i, out var a)
                ? new UpsertItemResult(i, externalId, a.Created ? UpsertOutcome.Created : UpsertOutcome.Updated, a.Id)
                : new UpsertItemResult(i, externalId, UpsertOutcome.Failed, null);
        }).ToList();
    }

    private static List<BatchItemError> Sorted(List<BatchItemError> errors) => errors.OrderBy(e => e.Index).ToList();
}
