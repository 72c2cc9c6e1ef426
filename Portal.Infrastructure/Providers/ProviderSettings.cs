using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Receipts;
using Portal.Infrastructure.Smpp.Text;

namespace Portal.Infrastructure.Providers;

/// <summary>
/// A provider row's settings. Stored as the row's SettingsJson (the only place they are JSON: written by
/// <see cref="ProviderStore"/>, read at the registry boundary, <see cref="ProviderRuntimes"/>); the
/// connections get the typed, decrypted copy in a <see cref="ProviderRuntime"/>. The registry never
/// stores the password in clear: <see cref="Password"/> stays empty in the database and
/// <see cref="PasswordProtected"/> holds it encrypted with Data Protection.
/// </summary>
public sealed record ProviderSettings
{
    public string Host { get; init; } = "";
    public int Port { get; init; } = 2775;
    public string SystemId { get; init; } = "";
    public string Password { get; init; } = "";
    public string? PasswordProtected { get; init; }
    public string SystemType { get; init; } = "";
    public BindMode BindMode { get; init; } = BindMode.Transceiver;
    public int Binds { get; init; } = 1;
    public int WindowSize { get; init; } = 100;
    /// <summary>Outbind (SMPP 3.4 2.2.1): the TCP port each node listens on for this provider to connect and outbind; 0: off.</summary>
    public int OutbindPort { get; init; }
    /// <summary>The local address of the outbind listener; empty: all interfaces.</summary>
    public string OutbindAddress { get; init; } = "";
    public int? MaxPartsPerSecond { get; init; }
    public byte SourceTon { get; init; } = 5;
    public byte SourceNpi { get; init; }
    public LongMessageMethod LongMessageMethod { get; init; } = LongMessageMethod.Udh;
    /// <summary>How the provider writes message ids in submit_sm_resp.</summary>
    public MessageIdRadix MessageIdFormat { get; init; } = MessageIdRadix.Hex;
    /// <summary>
    /// How it writes them in receipts ("id:" and receipted_message_id); null: like
    /// <see cref="MessageIdFormat"/>. Some SMSCs answer in hex and report in decimal.
    /// </summary>
    public MessageIdRadix? ReceiptIdFormat { get; init; }
    public IReadOnlyList<string> Operators { get; init; } = [];
    /// <summary>Sender ids (alphanumeric names, short codes) this provider lets us use; empty: any (issue 19 checks API sends against it).</summary>
    public IReadOnlyList<string> SenderIds { get; init; } = [];
    /// <summary>The provider delivers flash SMS (message class 0 in data_coding, SMPP 3.4 5.2.19): alarms marked flash go so (issue 17).</summary>
    public bool SupportsFlash { get; init; }
    /// <summary>How the receipts of a long message's parts combine into the message's status.</summary>
    public ReceiptPolicy ReceiptPolicy { get; init; } = ReceiptPolicy.FirstPart;
    /// <summary>For <see cref="Domain.Providers.ProviderKind.Http"/>: the request, response and callback shapes.</summary>
    public HttpProviderSettings? Http { get; init; }
    /// <summary>
    /// The secret a provider's callbacks (receipts, inbound SMS) must carry, as a shared secret or
    /// as the key of an HMAC-SHA256 signature; stored encrypted like the password.
    /// </summary>
    public string? CallbackSecretProtected { get; init; }
    /// <summary>The callback secret in clear: only in the runtime copy <see cref="ProviderSecrets.Decrypt"/> makes, never stored.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CallbackSecret { get; init; }

    // HTTP rows stored before the adapter had the flat url/method/bodyTemplate: read, folded into Http, never written.
    [JsonInclude, JsonPropertyName("url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private string? LegacyUrl { get; init; }
    [JsonInclude, JsonPropertyName("method"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private string? LegacyMethod { get; init; }
    [JsonInclude, JsonPropertyName("bodyTemplate"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private string? LegacyBodyTemplate { get; init; }

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static ProviderSettings Parse(string json)
    {
        try
        {
            var settings = JsonSerializer.Deserialize<ProviderSettings>(string.IsNullOrWhiteSpace(json) ? "{}" : json, Json) ?? new();
            return settings.LegacyUrl is null ? settings : settings with
            {
                Http = settings.Http ?? new HttpProviderSettings
                {
                    UrlTemplate = settings.LegacyUrl, Method = settings.LegacyMethod ?? "POST", BodyTemplate = settings.LegacyBodyTemplate,
                },
                LegacyUrl = null, LegacyMethod = null, LegacyBodyTemplate = null,
            };
        }
        catch (JsonException)
        {
            return new();
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// The connector for an SMPP provider. Both id formats go into its <see cref="MessageIdMatching"/>,
    /// which reduces the submit_sm_resp id and the receipt's id to one key (a number's decimal
    /// digits, or upper-case text without leading zeros); the sender stores that same key as
    /// Messages.ProviderMessageId, so receipts the connector no longer remembers still match in SQL.
    /// </summary>
    public Smpp.Esme.SmppConnectorOptions ToConnectorOptions(string name) => new()
    {
        Name = name,
        Host = Host,
        Port = Port,
        SystemId = SystemId,
        Password = Password,
        SystemType = SystemType,
        BindMode = BindMode,
        Binds = Binds,
        WindowSize = WindowSize,
        OutbindPort = OutbindPort,
        OutbindAddress = string.IsNullOrWhiteSpace(OutbindAddress) ? "0.0.0.0" : OutbindAddress.Trim(),
        MaxPartsPerSecond = MaxPartsPerSecond,
        LongMessageMethod = LongMessageMethod,
        MessageIdMatching = IdMatching,
    };

    /// <summary>The id matching rule of <see cref="MessageIdFormat"/> and <see cref="ReceiptIdFormat"/>.</summary>
    [JsonIgnore]
    public MessageIdMatching IdMatching => new(MessageIdFormat, ReceiptIdFormat ?? MessageIdFormat);

    /// <summary>
    /// This node's part of the provider's caps when <paramref name="nodes"/> sender nodes share
    /// it: speed and binds divided, rounded down, at least one each (so more nodes than binds
    /// still exceed the bind cap: run at most as many sender nodes as the smallest bind count).
    /// </summary>
    public ProviderSettings ShareOf(int nodes) => nodes <= 1 ? this : this with
    {
        MaxPartsPerSecond = MaxPartsPerSecond is { } tps ? Math.Max(1, tps / nodes) : null,
        Binds = Math.Max(1, Binds / nodes),
    };
}

/// <summary>Which receipts decide the status of a message sent in several parts.</summary>
public enum ReceiptPolicy
{
    /// <summary>The first final receipt of any part decides (most SMSCs send one per part, alike).</summary>
    FirstPart = 0,
    /// <summary>Only the last part's receipt decides.</summary>
    LastPart = 1,
    /// <summary>Delivered once every part is delivered; any part failing makes the message fail.</summary>
    AllParts = 2,
}

/// <summary>Encrypts provider passwords, the way sync sources keep their credentials (one purpose string per kind of secret).</summary>
public sealed class ProviderSecrets(IDataProtectionProvider provider)
{
    public const string Purpose = "Portal.Provider";
    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(string secret) => _protector.Protect(secret);

    /// <exception cref="InvalidDataException">Encrypted with a key this node does not have.</exception>
    public string Unprotect(string protectedSecret)
    {
        try
        {
            return _protector.Unprotect(protectedSecret);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidDataException("The provider's stored password cannot be decrypted on this node: check the Data Protection key ring (DataProtection:KeysPath), or enter it again.");
        }
    }

    /// <summary>
    /// The settings a connection needs: the password and the callback secret decrypted (rows written
    /// before the registry keep their password in clear). In memory only, never stored.
    /// </summary>
    /// <exception cref="InvalidDataException">Encrypted with a key this node does not have.</exception>
    public ProviderSettings Decrypt(ProviderSettings stored)
    {
        var settings = stored;
        if (settings.PasswordProtected is { Length: > 0 } p) settings = settings with { Password = Unprotect(p), PasswordProtected = null };
        if (settings.CallbackSecretProtected is { Length: > 0 } c) settings = settings with { CallbackSecret = Unprotect(c), CallbackSecretProtected = null };
        return settings;
    }
}
