using Portal.Domain.Common;

namespace Portal.Domain.Providers;

public enum ProviderKind
{
    Smpp = 1,
    Http = 2,
}

/// <summary>
/// An SMS gateway Portal sends through. Connection settings are a JSON document whose shape
/// depends on <see cref="Kind"/>; secrets inside it are encrypted before storage.
/// </summary>
public sealed class SmsProvider
{
    private SmsProvider() { }

    public SmsProvider(string name, ProviderKind kind, string settingsJson)
    {
        Rename(name);
        Kind = kind;
        SettingsJson = settingsJson;
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public ProviderKind Kind { get; private set; }
    public string SettingsJson { get; set; } = "{}";
    public bool Enabled { get; set; } = true;
    /// <summary>Price of one part when no price-list entry matches.</summary>
    public decimal DefaultPartPrice { get; set; }

    public void Rename(string name)
    {
        Name = TypedName.Within(name, 100) ?? throw new DomainException("A provider name is 1 to 100 characters.");
    }
}
