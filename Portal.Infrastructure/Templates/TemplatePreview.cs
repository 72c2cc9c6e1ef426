using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Templates;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Providers;

namespace Portal.Infrastructure.Templates;

/// <summary>A preview's client, already masked for readers without personal data.</summary>
/// <param name="Language">The client's language: money and dates in the message are written in it (issue 20 item 5).</param>
public sealed record PreviewClient(long Id, string Label, string Language = "ru");

public sealed record TemplatePreviewResult(RenderedSms? Sms, string? Error, PreviewClient? Client);

/// <summary>
/// The editor's live preview for one real client: picked by phone or external id, or at random.
/// A reader without personal data gets the names and ids in the preview masked; every unmasked
/// preview is audited as a read of that client's personal data (152-FZ).
/// </summary>
public sealed class TemplatePreview(IDbContextFactory<PortalDbContext> contexts, AuditLog audit, RouteQuote routes, TimeProvider clock)
{
    public const string Currency = "RUB";

    public Task<PreviewClient?> FindClientAsync(string search, bool seesPersonalData, CancellationToken ct) =>
        FindClientAsync(search, seesPersonalData, null, ct);

    /// <param name="sandboxOwnerId">The reader's partition (issue 18): in the training sandbox only synthetic clients are previewed.</param>
    public async Task<PreviewClient?> FindClientAsync(string search, bool seesPersonalData, string? sandboxOwnerId, CancellationToken ct)
    {
        var term = search.Trim();
        if (term.Length == 0) return null;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var phone = PhoneNumber.TryParse(term, out var parsed, out _) ? parsed.Value : null;
        var found = await db.Clients.AsNoTracking().InPartition(sandboxOwnerId)
            .Where(c => c.ExternalId == term || (phone != null && c.Phone == phone))
            .Where(c => c.Status != ClientStatus.Erased)
            .Select(c => new { c.Id, c.Phone, c.FirstName, c.LastName, c.Language })
            .FirstOrDefaultAsync(ct);
        return found is null ? null : new PreviewClient(found.Id, Label(found.Phone, found.FirstName, found.LastName, seesPersonalData), found.Language);
    }

    public Task<PreviewClient?> RandomClientAsync(bool seesPersonalData, CancellationToken ct) => RandomClientAsync(seesPersonalData, null, ct);

    /// <param name="sandboxOwnerId">The reader's partition (issue 18).</param>
    public async Task<PreviewClient?> RandomClientAsync(bool seesPersonalData, string? sandboxOwnerId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var active = db.Clients.AsNoTracking().InPartition(sandboxOwnerId).Where(c => c.Status == ClientStatus.Active);
        var max = await active.MaxAsync(c => (long?)c.Id, ct);
        if (max is null) return null;
        var pivot = Random.Shared.NextInt64(1, max.Value + 1);
        var found = await active.Where(c => c.Id >= pivot).OrderBy(c => c.Id).Select(c => new { c.Id, c.Phone, c.FirstName, c.LastName, c.Language }).FirstOrDefaultAsync(ct)
            ?? await active.OrderBy(c => c.Id).Select(c => new { c.Id, c.Phone, c.FirstName, c.LastName, c.Language }).FirstAsync(ct);
        return new PreviewClient(found.Id, Label(found.Phone, found.FirstName, found.LastName, seesPersonalData), found.Language);
    }

    /// <summary>Renders <paramref name="template"/> for the client; a sandbox limit comes back as <see cref="TemplatePreviewResult.Error"/>.</summary>
    public async Task<TemplatePreviewResult> RenderAsync(CompiledTemplate template, long clientId, ClaimsPrincipal reader, CancellationToken ct)
    {
        var seesPersonalData = Roles.SeesPersonalData(reader.FindAll(ClaimTypes.Role).Select(r => r.Value));
        await using var db = await contexts.CreateDbContextAsync(ct);
        var client = await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == clientId, ct);
        if (client is null) return new TemplatePreviewResult(null, "The client no longer exists.", null);
        var attributes = (await ClientAttributeText.LoadAsync(db, [clientId], ct)).GetValueOrDefault(clientId);
        if (!seesPersonalData && attributes is not null)
        {
            // Issue 14: custom attributes are masked for this reader on the client card: so in the preview ({{ attr.* }}).
            attributes = attributes.ToDictionary(a => a.Key, _ => PersonalDataMask.Hidden);
        }
        var shown = seesPersonalData ? client : Masked(client);
        var campaign = new CampaignMergeFields("Preview", null, clock.GetUtcNow().UtcDateTime);
        var label = new PreviewClient(client.Id, Label(client.Phone, client.FirstName, client.LastName, seesPersonalData), client.Language);
        if (seesPersonalData)
        {
            await audit.WriteAsync(reader, AuditActions.PersonalDataRead, "Client", client.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "template preview", ct);
        }
        try
        {
            return new TemplatePreviewResult(template.Render(shown, attributes, campaign), null, label);
        }
        catch (TemplateRenderException e)
        {
            return new TemplatePreviewResult(null, e.Message, label);
        }
    }

    /// <summary>Custom attributes for the merge-field picker (<c>attr.key</c>).</summary>
    public async Task<IReadOnlyList<MergeField>> AttributeFieldsAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var definitions = await db.AttributeDefinitions.AsNoTracking().OrderBy(a => a.Label).Select(a => new { a.Key, a.Label }).ToListAsync(ct);
        return definitions.Select(d => MergeFields.Attribute(d.Key, d.Label)).ToList();
    }

    /// <summary>
    /// Price of one part on the route automatic routing would take to the preview's client (the sample
    /// client's number when none is chosen), and through which provider (issue 20 item 4). The phone
    /// stays here: the editor gets the price and the provider's name only.
    /// </summary>
    public async Task<RoutePrice?> PartPriceAsync(long? clientId, CancellationToken ct)
    {
        var phone = SampleClient.Phone;
        if (clientId is long id)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            phone = await db.Clients.AsNoTracking().Where(c => c.Id == id).Select(c => c.Phone).FirstOrDefaultAsync(ct) ?? phone;
        }
        return await routes.ForAsync(phone, null, ct);
    }

    private static string Label(string phone, string? first, string? last, bool seesPersonalData)
    {
        var name = string.Join(' ', new[] { first, last }.Where(n => !string.IsNullOrWhiteSpace(n)));
        return seesPersonalData
            ? $"{name} {phone}".Trim()
            : $"{string.Join(' ', new[] { first, last }.Where(n => !string.IsNullOrWhiteSpace(n)).Select(PersonalDataMask.Name))} {PersonalDataMask.Phone(phone)}".Trim();
    }

    /// <summary>A copy with the personal merge values (names, birth date, external id) masked.</summary>
    private static Client Masked(Client client) =>
        new(PhoneNumber.FromTrusted(client.Phone), Mask(client.FirstName), Mask(client.LastName), client.RegisteredAt)
        {
            MiddleName = Mask(client.MiddleName),
            ExternalId = client.ExternalId is null ? null : "***",
            Gender = client.Gender,
            Language = client.Language,
            RegionCode = client.RegionCode,
            City = client.City,
            TimeZone = client.TimeZone,
            LoyaltyTier = client.LoyaltyTier,
            Tariff = client.Tariff,
            Balance = client.Balance,
            TotalSpend = client.TotalSpend,
            PurchaseCount = client.PurchaseCount,
            LastPurchaseAt = client.LastPurchaseAt,
        };

    private static string? Mask(string? name) => name is null ? null : PersonalDataMask.Name(name);
}
