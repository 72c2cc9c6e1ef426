using System.Text.Json;
using Portal.Domain.Common;
using Portal.Domain.Imports;

namespace Portal.Domain.Integrations;

/// <summary>A client event field a source column can be mapped to.</summary>
public enum EventField
{
    ExternalId = 1,
    Type,
    Name,
    Amount,
    OccurredAt,
    /// <summary>The source's id of the event: a row read again (overlap margin, a retried run) is stored once.</summary>
    EventId,
}

/// <summary>An employee field a source column can be mapped to (the staff directory's import columns).</summary>
public enum EmployeeField
{
    Phone = 1,
    Name,
    Email,
    Department,
    Position,
    Location,
    TimeZone,
    /// <summary>false, 0 or no: the person no longer receives alerts; empty or anything else: active.</summary>
    Active,
}

/// <summary>
/// Source column → Portal field, stored as a JSON object in <see cref="SyncSource.MappingJson"/>:
/// <c>{"crm_id": "ExternalId", "msisdn": "Phone"}</c> for clients,
/// <c>{"client": "ExternalId", "kind": "Type", "sum": "Amount", "at": "OccurredAt"}</c> for events.
/// Field names are the enum names of <see cref="ClientField"/> or <see cref="EventField"/>.
/// </summary>
public sealed class SyncMapping
{
    /// <summary>
    /// A client field naming a custom attribute: this prefix and the attribute's key, as the import
    /// wizard names them (issue 20). The value is typed and checked as the file import checks it.
    /// </summary>
    public const string AttributePrefix = "attr:";

    private SyncMapping(IReadOnlyList<(string Column, string Field)> pairs) => Pairs = pairs;

    private static bool IsAttribute(string field) =>
        field.StartsWith(AttributePrefix, StringComparison.Ordinal) && !string.IsNullOrWhiteSpace(field[AttributePrefix.Length..]);

    public IReadOnlyList<(string Column, string Field)> Pairs { get; }

    public IReadOnlyList<string> Columns => Pairs.Select(p => p.Column).ToList();

    /// <exception cref="DomainException">Not a JSON object of strings, an unknown field, a field mapped twice, or a required field missing.</exception>
    public static SyncMapping Parse(string json, SyncTarget target)
    {
        Dictionary<string, string>? raw;
        try
        {
            raw = JsonSerializer.Deserialize<Dictionary<string, string>>(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        }
        catch (JsonException)
        {
            throw new DomainException("The mapping is not a JSON object of column → field names.");
        }
        var pairs = new List<(string, string)>();
        foreach (var (column, field) in raw ?? [])
        {
            if (string.IsNullOrWhiteSpace(column))
            {
                throw new DomainException("A mapped source column has no name.");
            }
            var known = target switch
            {
                SyncTarget.Clients => (Enum.TryParse<ClientField>(field, false, out var c) && Enum.IsDefined(c)) || IsAttribute(field),
                SyncTarget.Employees => Enum.TryParse<EmployeeField>(field, false, out var p) && Enum.IsDefined(p),
                _ => Enum.TryParse<EventField>(field, false, out var e) && Enum.IsDefined(e),
            };
            if (!known)
            {
                throw target switch
                {
                    SyncTarget.Clients => new DomainException("'{0}' is not a client field.", field),
                    SyncTarget.Employees => new DomainException("'{0}' is not an employee field.", field),
                    _ => new DomainException("'{0}' is not an event field.", field),
                };
            }
            if (pairs.Any(p => string.Equals(p.Item2, field, StringComparison.OrdinalIgnoreCase)))
            {
                throw new DomainException("The field {0} is mapped twice.", field);
            }
            pairs.Add((column.Trim(), field));
        }
        string[] required = target switch
        {
            SyncTarget.Clients => [nameof(ClientField.ExternalId), nameof(ClientField.Phone)],
            SyncTarget.Employees => [nameof(EmployeeField.Phone), nameof(EmployeeField.Name)],
            _ => [nameof(EventField.ExternalId), nameof(EventField.Type), nameof(EventField.OccurredAt)],
        };
        foreach (var field in required.Where(f => pairs.All(p => p.Item2 != f)))
        {
            throw new DomainException("Map a source column to {0}.", field);
        }
        return new SyncMapping(pairs);
    }

    /// <exception cref="DomainException">A column is mapped twice.</exception>
    public static string ToJson(IEnumerable<(string Column, string Field)> pairs)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (column, field) in pairs)
        {
            if (!map.TryAdd(column.Trim(), field))
            {
                throw new DomainException("The column '{0}' is mapped twice.", column.Trim());
            }
        }
        return JsonSerializer.Serialize(map);
    }

    /// <summary>Aligned with <see cref="Columns"/>; null where the column is mapped to a custom attribute.</summary>
    public IReadOnlyList<ClientField?> ClientFields() =>
        Pairs.Select(p => IsAttribute(p.Field) ? null : (ClientField?)Enum.Parse<ClientField>(p.Field)).ToList();

    /// <summary>Columns mapped to a custom attribute: column index → attribute key.</summary>
    public IReadOnlyDictionary<int, string> AttributeColumns() =>
        Pairs.Select((p, i) => (p.Field, i)).Where(p => IsAttribute(p.Field))
            .ToDictionary(p => p.i, p => p.Field[AttributePrefix.Length..].Trim());

    /// <summary>The column mapped to an event or employee field, or null.</summary>
    public int? IndexOf<TField>(TField field) where TField : struct, Enum
    {
        for (var i = 0; i < Pairs.Count; i++)
        {
            if (Pairs[i].Field == field.ToString())
            {
                return i;
            }
        }
        return null;
    }
}
