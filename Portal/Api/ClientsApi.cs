using System.Text.Json;
using Portal.Domain.Clients;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Portal.Api;

/// <summary><c>/api/v1/clients</c>: batch upsert and erasure by external id.</summary>
public static class ClientsApi
{
    public const int MaxUpsertBatch = 1_000;
    public const int MaxEraseBatch = 1_000;

    public static void MapClientsApi(this RouteGroupBuilder api)
    {
        api.MapPut("/clients", UpsertAsync)
            .RequireScope(ApiScopes.ClientsWrite)
            .Accepts<ClientUpsertItem[]>("application/json")
            .Produces<UpsertResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Create or update up to 1,000 clients by external id")
            .WithDescription("""
                The body is a JSON array of clients. Fields left out keep their stored value; null clears a field.
                `tags` replaces the client's tag set; `attributes` sets the given custom attributes (null removes one).
                Without `atomic`, valid items are applied and invalid ones refused whole (200, per-item results);
                with `?atomic=true` any invalid item refuses the batch (422). 422 also when every item is invalid.
                """);

        api.MapDelete("/clients", EraseAsync)
            .RequireScope(ApiScopes.ClientsDelete)
            .Accepts<string[]>("application/json")
            .Produces<EraseResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Erase up to 1,000 clients by external id (right to be forgotten)")
            .WithDescription("Personal data is removed; purchase figures, events and messages stay without a name. Unknown ids are listed in `notFound`.");
    }

    private static async Task<IResult> UpsertAsync(HttpRequest request, ClientBatchUpsert upsert, CancellationToken ct)
    {
        var (document, problem) = await ApiBatch.ReadAsync(request, JsonValueKind.Array, ct);
        if (document is null)
        {
            return problem!;
        }
        using (document)
        {
            var items = document.RootElement;
            if (ApiBatch.CheckSize(items, MaxUpsertBatch) is { } tooBig)
            {
                return tooBig;
            }
            if (!ApiBatch.TryAtomic(request, out var atomic, out var badAtomic))
            {
                return badAtomic!;
            }
            var errors = new List<BatchItemError>();
            var patches = new List<ClientPatch>();
            var index = 0;
            foreach (var item in items.EnumerateArray())
            {
                if (ClientPatchReader.Read(index++, item, errors) is { } patch)
                {
                    patches.Add(patch);
                }
            }
            UpsertResult result;
            try
            {
                result = await upsert.UpsertAsync(patches, errors, index, atomic, ct);
            }
            catch (DbUpdateException)
            {
                // Another writer took an external id or phone between our check and our insert; the transaction rolled back.
                return ApiProblems.Problem(StatusCodes.Status409Conflict, "Conflict",
                    "A concurrent change took an external id or phone of this batch; nothing was applied. Retry the batch.");
            }
            if (!result.Applied)
            {
                return ApiProblems.InvalidItems(result.Errors, index, atomic);
            }
            return Results.Ok(new UpsertResponse(result.Created, result.Updated, result.Failed,
                result.Items.Select(i => new UpsertItemResponse(i.Index, i.ExternalId, i.Outcome.ToString().ToLowerInvariant(), i.ClientId,
                    i.Outcome == UpsertOutcome.Failed ? result.Errors.Where(e => e.Index == i.Index).Select(e => new ItemErrorResponse(e.Field, e.Reason)).ToList() : null)).ToList()));
        }
    }

    private static async Task<IResult> EraseAsync(HttpRequest request, HttpContext context, IDbContextFactory<PortalDbContext> contexts, ClientErasure erasure, CancellationToken ct)
    {
        var (document, problem) = await ApiBatch.ReadAsync(request, JsonValueKind.Array, ct);
        if (document is null)
        {
            return problem!;
        }
        List<string> externalIds;
        using (document)
        {
            if (ApiBatch.CheckSize(document.RootElement, MaxEraseBatch) is { } tooBig)
            {
                return tooBig;
            }
            var bad = document.RootElement.EnumerateArray()
                .Select((e, i) => (e, i))
                .Where(x => x.e.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(x.e.GetString()))
                .Select(x => new BatchItemError(x.i, null, "item", "Expected a non-empty external id string."))
                .ToList();
            if (bad.Count > 0)
            {
                return ApiProblems.InvalidItems(bad, document.RootElement.GetArrayLength(), atomic: true);
            }
            externalIds = document.RootElement.EnumerateArray().Select(e => e.GetString()!.Trim()).Distinct().ToList();
        }
        Dictionary<string, long> found;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            found = await db.Clients.AsNoTracking().Where(c => c.ExternalId != null && externalIds.Contains(c.ExternalId))
                .Select(c => new { ExternalId = c.ExternalId!, c.Id })
                .ToDictionaryAsync(c => c.ExternalId, c => c.Id, ct);
        }
        var erased = await erasure.EraseAsync(found.Values.ToList(), context.User, "api", ct);
        return Results.Ok(new EraseResponse(erased.Count, externalIds.Where(id => !found.ContainsKey(id)).ToList()));
    }
}

public sealed record UpsertResponse(int Created, int Updated, int Failed, IReadOnlyList<UpsertItemResponse> Items);

/// <param name="Status">created, updated or failed.</param>
public sealed record UpsertItemResponse(int Index, string? ExternalId, string Status, long? ClientId, IReadOnlyList<ItemErrorResponse>? Errors);

public sealed record ItemErrorResponse(string Field, string Reason);

public sealed record EraseResponse(int Erased, IReadOnlyList<string> NotFound);

/// <summary>One client of a <c>PUT /api/v1/clients</c> batch (documentation of the accepted shape).</summary>
/// <param name="ExternalId">The client's id in the CRM; required, at most 64 characters.</param>
/// <param name="Phone">Any common notation; Russian numbers may omit +7. Required for a new client.</param>
/// <param name="Gender">unknown, male or female.</param>
/// <param name="BirthDate">yyyy-MM-dd.</param>
/// <param name="RegionCode">ISO 3166-2:RU without the country, e.g. MOW; sets the time zone unless timeZone is given.</param>
/// <param name="Status">active, inactive or blocked.</param>
/// <param name="LoyaltyTier">none, silver, gold or platinum.</param>
/// <param name="Tags">The complete tag set; an empty array removes all tags.</param>
/// <param name="Attributes">Custom attributes by key, typed by their definitions; null removes one.</param>
public sealed record ClientUpsertItem(
    string ExternalId, string? Phone, string? FirstName, string? MiddleName, string? LastName, string? Gender,
    string? BirthDate, string? Language, string? RegionCode, string? TimeZone, string? City, string? Status,
    DateTime? RegisteredAt, string? LoyaltyTier, string? Tariff, decimal? Balance, decimal? TotalSpend, int? PurchaseCount,
    DateTime? LastPurchaseAt, DateTime? LastActivityAt, string[]? Tags, Dictionary<string, JsonElement>? Attributes);
