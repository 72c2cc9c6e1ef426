using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Providers;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Smpp.Pdus;
using Portal.Infrastructure.Smpp.Receipts;
using Portal.Infrastructure.Smpp.Text;

namespace Portal.Infrastructure.Providers;

/// <summary>
/// A provider as the admin form edits it. A blank <see cref="Password"/> or <see cref="CallbackSecret"/>
/// on an edit keeps the stored one.
/// </summary>
public sealed class ProviderDraft
{
    public string Name { get; set; } = "";
    public ProviderKind Kind { get; set; } = ProviderKind.Smpp;
    public bool Enabled { get; set; } = true;
    public decimal DefaultPartPrice { get; set; }
    public string Host { get; set; } = "";
    public int Port { get; set; } = 2775;
    public string SystemId { get; set; } = "";
    public string? Password { get; set; }
    public string SystemType { get; set; } = "";
    public BindMode BindMode { get; set; } = BindMode.Transceiver;
    public int Binds { get; set; } = 1;
    public int WindowSize { get; set; } = 100;
    /// <summary>Outbind listener port (SMPP 3.4 2.2.1); 0: off.</summary>
    public int OutbindPort { get; set; }
    public int? MaxPartsPerSecond { get; set; }
    public byte SourceTon { get; set; } = 5;
    public byte SourceNpi { get; set; }
    public LongMessageMethod LongMessageMethod { get; set; } = LongMessageMethod.Udh;
    public MessageIdRadix MessageIdFormat { get; set; } = MessageIdRadix.Hex;
    /// <summary>Shown and edited on its own (not "same as responses"), so changing one format never silently changes the other.</summary>
    public MessageIdRadix ReceiptIdFormat { get; set; } = MessageIdRadix.Hex;
    public ReceiptPolicy ReceiptPolicy { get; set; } = ReceiptPolicy.FirstPart;
    /// <summary>The SMSC delivers flash SMS (class 0): alarms asked as flash go so (issue 17).</summary>
    public bool SupportsFlash { get; set; }
    public IReadOnlyCollection<string> Operators { get; set; } = [];
    /// <summary>For HTTP providers: the request, answer and callback shapes.</summary>
    public HttpProviderDraft Http { get; set; } = new();
    /// <summary>The secret an HTTP provider's callbacks carry or sign with; write-only like the password.</summary>
    public string? CallbackSecret { get; set; }

    /// <summary>Whether a password is stored (the form says "leave empty to keep").</summary>
    public bool HasPassword { get; set; }

    /// <summary>Whether a callback secret is stored.</summary>
    public bool HasCallbackSecret { get; set; }

    /// <summary>Every problem, each in words a person can act on; empty when the draft can be saved.</summary>
    public IReadOnlyList<string> Problems(bool creating)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name) || Name.Trim().Length > 100) problems.Add("A provider name is 1 to 100 characters.");
        if (DefaultPartPrice < 0 || DefaultPartPrice > 1_000_000) problems.Add("The default price per part is between 0 and 1,000,000.");
        if (Operators.Any(o => !MobileOperators.All.Contains(o))) problems.Add("Unknown operator in the served operators.");
        if (Kind == ProviderKind.Smpp)
        {
            if (string.IsNullOrWhiteSpace(Host) || Host.Length > 255 || Host.Any(char.IsWhiteSpace)) problems.Add("The host is a name or an IP address without spaces.");
            if (Port is < 1 or > 65535) problems.Add("The port is 1 to 65535.");
            if (string.IsNullOrWhiteSpace(SystemId) || SystemId.Length > 15) problems.Add("The system_id is 1 to 15 characters (SMPP 3.4 5.2.1).");
            if (creating && string.IsNullOrEmpty(Password)) problems.Add("Enter the password.");
            if (Password is { Length: > 8 }) problems.Add("The SMPP password is at most 8 characters (SMPP 3.4 5.2.2).");
            if (SystemType.Length > 12) problems.Add("The system_type is at most 12 characters.");
            if (Binds is < 1 or > 32) problems.Add("Binds are 1 to 32.");
            if (WindowSize is < 1 or > 1000) problems.Add("The window is 1 to 1000.");
            if (OutbindPort is < 0 or > 65535) problems.Add("The outbind port is 0 (off) to 65535.");
            if (MaxPartsPerSecond is < 1 or > 100_000) problems.Add("The speed limit is 1 to 100,000 parts per second, or empty for none.");
            if (SourceTon > 6) problems.Add("The source TON is 0 to 6.");
            if (SourceNpi > 18) problems.Add("The source NPI is 0 to 18.");
        }
        else
        {
            problems.AddRange(Http.ToSettings().Problems);
            if (Password is { Length: > 200 }) problems.Add("The password is at most 200 characters.");
            if (MaxPartsPerSecond is < 1 or > 100_000) problems.Add("The speed limit is 1 to 100,000 parts per second, or empty for none.");
            if (creating && string.IsNullOrEmpty(CallbackSecret)) problems.Add("Enter a callback secret: the provider's receipts and inbound SMS are refused without it.");
            if (!string.IsNullOrEmpty(CallbackSecret) && !HttpProviderDraft.IsValidSecret(CallbackSecret))
                problems.Add("The callback secret is 16 to 128 letters, digits, '-', '_', '.' or '~' (it may travel in a URL).");
        }
        return problems;
    }
}

/// <summary>
/// A provider as the admin list shows it: where it is and how it is set up, never its password.
/// <see cref="OrphanReceipts"/>: its receipts that matched no message (kept for the retention period).
/// </summary>
public sealed record ProviderRow(int Id, string Name, ProviderKind Kind, bool Enabled, decimal DefaultPartPrice, string Where,
    int Binds, int? MaxPartsPerSecond, IReadOnlyList<string> Operators, bool HasPassword, int PriceEntries, int OrphanReceipts = 0);

/// <summary>Bumped on every provider or price change so routers drop their cached rows at once.</summary>
public sealed class ProviderRegistryVersion
{
    private int _version;
    public int Current => Volatile.Read(ref _version);
    public void Bump() => Interlocked.Increment(ref _version);
}

/// <summary>Creates, changes and lists providers; encrypts passwords and audits every change (issue 7).</summary>
public sealed class ProviderStore(IDbContextFactory<PortalDbContext> contexts, ProviderSecrets secrets, AuditLog audit, ProviderRegistryVersion version)
{
    public async Task<IReadOnlyList<ProviderRow>> ListAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var providers = await db.Providers.AsNoTracking().OrderBy(p => p.Name).ToListAsync(ct);
        var counts = await db.PriceListEntries.GroupBy(e => e.ProviderId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var orphans = await db.ReceiptOrphans.GroupBy(o => o.ProviderId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return providers.Select(p =>
        {
            var s = ProviderSettings.Parse(p.SettingsJson);
            var where = p.Kind == ProviderKind.Smpp ? $"{s.Host}:{s.Port.ToString(CultureInfo.InvariantCulture)}" : HostOf(s.Http);
            return new ProviderRow(p.Id, p.Name, p.Kind, p.Enabled, p.DefaultPartPrice, where, s.Binds, s.MaxPartsPerSecond, s.Operators,
                !string.IsNullOrEmpty(s.PasswordProtected) || !string.IsNullOrEmpty(s.Password), counts.GetValueOrDefault(p.Id), orphans.GetValueOrDefault(p.Id));
        }).ToList();
    }

    /// <exception cref="DomainException">The provider is gone.</exception>
    public async Task<ProviderDraft> GetAsync(int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var p = await db.Providers.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new DomainException("This provider no longer exists.");
        var s = ProviderSettings.Parse(p.SettingsJson);
        return new ProviderDraft
        {
            Name = p.Name, Kind = p.Kind, Enabled = p.Enabled, DefaultPartPrice = p.DefaultPartPrice, Host = s.Host, Port = s.Port,
            SystemId = s.SystemId, Password = null, HasPassword = !string.IsNullOrEmpty(s.PasswordProtected) || !string.IsNullOrEmpty(s.Password),
            SystemType = s.SystemType, BindMode = s.BindMode, Binds = s.Binds, WindowSize = s.WindowSize, MaxPartsPerSecond = s.MaxPartsPerSecond,
            OutbindPort = s.OutbindPort,
            SourceTon = s.SourceTon, SourceNpi = s.SourceNpi, LongMessageMethod = s.LongMessageMethod, MessageIdFormat = s.MessageIdFormat,
            ReceiptIdFormat = s.ReceiptIdFormat ?? s.MessageIdFormat, ReceiptPolicy = s.ReceiptPolicy,
            SupportsFlash = s.SupportsFlash,
            Operators = s.Operators, Http = s.Http is { } http ? HttpProviderDraft.From(http) : new HttpProviderDraft(),
            CallbackSecret = null, HasCallbackSecret = !string.IsNullOrEmpty(s.CallbackSecretProtected),
        };
    }

    /// <exception cref="DomainException">The draft is invalid: the message lists what to fix.</exception>
    public async Task<int> CreateAsync(ClaimsPrincipal actor, ProviderDraft draft, CancellationToken ct)
    {
        Validate(draft, creating: true);
        var provider = new SmsProvider(draft.Name, draft.Kind, SettingsOf(draft, stored: null)) { Enabled = draft.Enabled, DefaultPartPrice = draft.DefaultPartPrice };
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            await EnsureUniqueNameAsync(db, provider.Name, null, ct);
            db.Providers.Add(provider);
            await db.SaveChangesAsync(ct);
        }
        version.Bump();
        await audit.WriteAsync(actor, AuditActions.ProviderCreated, nameof(SmsProvider), provider.Id.ToString(CultureInfo.InvariantCulture), Summary(provider, draft), ct);
        return provider.Id;
    }

    /// <exception cref="DomainException">The draft is invalid, or the provider is gone.</exception>
    public async Task UpdateAsync(ClaimsPrincipal actor, int id, ProviderDraft draft, CancellationToken ct)
    {
        Validate(draft, creating: false);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var provider = await db.Providers.FirstOrDefaultAsync(p => p.Id == id, ct) ?? throw new DomainException("This provider no longer exists.");
        if (provider.Kind != draft.Kind) throw new DomainException("A provider's kind cannot change: create a new provider.");
        await EnsureUniqueNameAsync(db, draft.Name.Trim(), id, ct);
        provider.Rename(draft.Name);
        provider.SettingsJson = SettingsOf(draft, ProviderSettings.Parse(provider.SettingsJson));
        provider.Enabled = draft.Enabled;
        provider.DefaultPartPrice = draft.DefaultPartPrice;
        await db.SaveChangesAsync(ct);
        version.Bump();
        await audit.WriteAsync(actor, AuditActions.ProviderChanged, nameof(SmsProvider), id.ToString(CultureInfo.InvariantCulture),
            Summary(provider, draft) + (string.IsNullOrEmpty(draft.Password) ? "" : "; password changed")
                + (string.IsNullOrEmpty(draft.CallbackSecret) ? "" : "; callback secret changed"), ct);
    }

    public async Task SetEnabledAsync(ClaimsPrincipal actor, int id, bool enabled, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var provider = await db.Providers.FirstOrDefaultAsync(p => p.Id == id, ct) ?? throw new DomainException("This provider no longer exists.");
        provider.Enabled = enabled;
        await db.SaveChangesAsync(ct);
        version.Bump();
        await audit.WriteAsync(actor, AuditActions.ProviderChanged, nameof(SmsProvider), id.ToString(CultureInfo.InvariantCulture), $"name={provider.Name}; enabled={enabled}", ct);
    }

    public async Task<IReadOnlyList<PriceListEntry>> PricesAsync(int providerId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.PriceListEntries.AsNoTracking().Where(e => e.ProviderId == providerId)
            .OrderBy(e => e.Operator).ThenBy(e => e.Prefix).ThenByDescending(e => e.ValidFrom).ToListAsync(ct);
    }

    private static void Validate(ProviderDraft draft, bool creating)
    {
        var problems = draft.Problems(creating);
        if (problems.Count > 0) throw new DomainException(string.Join(" ", problems));
    }

    private string SettingsOf(ProviderDraft d, ProviderSettings? stored)
    {
        var protectedPassword = !string.IsNullOrEmpty(d.Password) ? secrets.Protect(d.Password)
            : stored?.PasswordProtected is { Length: > 0 } kept ? kept
            : stored?.Password is { Length: > 0 } legacy ? secrets.Protect(legacy) // a row from before the registry: encrypt it now
            : null;
        var smpp = d.Kind == ProviderKind.Smpp;
        var protectedCallbackSecret = smpp ? null
            : !string.IsNullOrEmpty(d.CallbackSecret) ? secrets.Protect(d.CallbackSecret)
            : stored?.CallbackSecretProtected;
        return new ProviderSettings
        {
            Host = smpp ? d.Host.Trim() : "", Port = d.Port, SystemId = smpp ? d.SystemId.Trim() : "", Password = "", PasswordProtected = protectedPassword,
            SystemType = d.SystemType.Trim(), BindMode = d.BindMode, Binds = d.Binds, WindowSize = d.WindowSize, MaxPartsPerSecond = d.MaxPartsPerSecond,
            OutbindPort = smpp ? d.OutbindPort : 0, OutbindAddress = stored?.OutbindAddress ?? "",
            SourceTon = d.SourceTon, SourceNpi = d.SourceNpi, LongMessageMethod = d.LongMessageMethod, MessageIdFormat = d.MessageIdFormat,
            ReceiptIdFormat = d.ReceiptIdFormat == d.MessageIdFormat ? null : d.ReceiptIdFormat, ReceiptPolicy = d.ReceiptPolicy,
            SupportsFlash = d.SupportsFlash,
            Operators = [.. MobileOperators.All.Where(d.Operators.Contains)],
            Http = smpp ? null : d.Http.ToSettings().Settings, CallbackSecretProtected = protectedCallbackSecret,
        }.ToJson();
    }

    private static async Task EnsureUniqueNameAsync(PortalDbContext db, string name, int? except, CancellationToken ct)
    {
        if (await db.Providers.AnyAsync(p => p.Name == name && p.Id != except, ct)) throw new DomainException("Another provider already has this name.");
    }

    private static string Summary(SmsProvider p, ProviderDraft d) => p.Kind == ProviderKind.Smpp
        ? $"name={p.Name}; kind=Smpp; host={d.Host}:{d.Port}; system_id={d.SystemId}; binds={d.Binds}; window={d.WindowSize}; tps={d.MaxPartsPerSecond}; enabled={p.Enabled}; default_price={p.DefaultPartPrice}"
        : $"name={p.Name}; kind=Http; preset={d.Http.Preset}; host={HostOf(d.Http.ToSettings().Settings)}; enabled={p.Enabled}; default_price={p.DefaultPartPrice}";

    /// <summary>Where an HTTP provider is, without the template's query (which may carry a password placeholder's neighbours).</summary>
    private static string HostOf(HttpProviderSettings? http) =>
        http is not null && Uri.TryCreate(http.UrlTemplate.Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            ? uri.GetLeftPart(UriPartial.Path)
            : "";
}
