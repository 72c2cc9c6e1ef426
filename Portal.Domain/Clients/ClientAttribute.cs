using Portal.Domain.Common;

namespace Portal.Domain.Clients;

public enum AttributeType
{
    Text = 1,
    Number = 2,
    Date = 3,
    Boolean = 4,
}

/// <summary>A custom client field the company defines (e.g. <c>contract_type</c>), typed so audiences can compare it.</summary>
public sealed class AttributeDefinition
{
    private AttributeDefinition() { }

    public AttributeDefinition(string key, AttributeType type, string label)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Length > 64 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new DomainException("An attribute key is 1 to 64 Latin letters, digits or underscores.");
        }
        Key = key.ToLowerInvariant();
        Type = type;
        Label = string.IsNullOrWhiteSpace(label) ? key : label.Trim();
    }

    public int Id { get; private set; }
    public string Key { get; private set; } = "";
    public AttributeType Type { get; private set; }
    public string Label { get; private set; } = "";
}

/// <summary>One custom attribute value of one client; exactly one of the typed columns is set.</summary>
public sealed class ClientAttribute
{
    private ClientAttribute() { }

    public ClientAttribute(long clientId, int definitionId, string? text = null, decimal? number = null, DateTime? date = null, bool? boolean = null)
    {
        ClientId = clientId;
        DefinitionId = definitionId;
        Text = text;
        Number = number;
        Date = date;
        Boolean = boolean;
    }

    public long ClientId { get; private set; }
    public int DefinitionId { get; private set; }
    public string? Text { get; private set; }
    public decimal? Number { get; private set; }
    public DateTime? Date { get; private set; }
    public bool? Boolean { get; private set; }
}

/// <summary>A free label on a client (e.g. <c>vip</c>, <c>b2b</c>).</summary>
public sealed class ClientTag
{
    private ClientTag() { }

    public ClientTag(long clientId, string tag)
    {
        ClientId = clientId;
        Tag = tag.Trim().ToLowerInvariant();
    }

    public long ClientId { get; private set; }
    public string Tag { get; private set; } = "";
}
