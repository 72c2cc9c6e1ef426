using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Clients;
using Portal.Infrastructure.Persistence;

namespace Portal.Api;

/// <summary><c>/api/v1/clients/{externalId}/consents|opt-out|opt-in</c>: what a client agreed to receive.</summary>
public static class ConsentsApi
{
    public static void MapConsentsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/clients/{externalId}/consents", SetConsentAsync)
            .RequireScope(ApiScopes.ConsentWrite)
            .Accepts<ConsentRequest>("application/json")
            .Produces<ConsentStateResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Grant or withdraw a client's consent for one purpose (service or advertising)")
            .WithDescription("Appends to the consent history with its source and evidence.");

        api.MapPost("/clients/{externalId}/opt-out", (string externalId, HttpRequest request, IDbContextFactory<PortalDbContext> contexts, TimeProvider clock, CancellationToken ct) =>
                ChangeAsync(externalId, request, contexts, clock, optOut: true, ct))
            .RequireScope(ApiScopes.ConsentWrite)
            .Accepts<OptOutRequest>("application/json")
            .Produces<ConsentStateResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The client asked to receive nothing more")
            .WithDescription("Optional body: {\"reason\": \"...\", \"at\": \"...\"}. Opting out twice keeps the first time.");

        api.MapPost("/clients/{externalId}/opt-in", (string externalId, HttpRequest request, IDbContextFactory<PortalDbContext> contexts, TimeProvider clock, CancellationToken ct) =>
                ChangeAsync(externalId, request, contexts, clock, optOut: false, ct))
            .RequireScope(ApiScopes.ConsentWrite)
            .Produces<ConsentStateResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Lift a client's opt-out");
    }

    private static async Task<IResult> SetConsentAsync(string externalId, HttpRequest request, IDbContextFactory<PortalDbContext> contexts, TimeProvider clock, CancellationToken ct)
    {
        var (document, problem) = await ApiBatch.ReadAsync(request, JsonValueKind.Object, ct);
        if (document is null)
        {
            return problem!;
        }
        var errors = new List<BatchItemError>();
        ConsentPurpose? purpose = null;
        bool? granted = null;
        string? source = null, evidence = null;
        DateTime? at = null;
        using (document)
        {
            var r = new JsonItemReader(0, document.RootElement, errors).Begin();
            if (r.Has("purpose", out _))
            {
                r.Enum<ConsentPurpose>("purpose", p => purpose = p);
            }
            else
            {
                r.Fail("purpose", "Required: service or advertising.");
            }
            if (r.Has("granted", out var g) && g.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                granted = g.GetBoolean();
            }
            else
            {
                r.Fail("granted", "Required: true or false.");
            }
            source = r.RequiredText("source", 64);
            r.Text("evidence", 500, e => evidence = e);
            r.Instant("at", t => at = t);
            r.RejectUnknownFields();
        }
        if (errors.Count > 0)
        {
            return ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "Invalid consent", "The consent change has invalid fields.",
                new Dictionary<string, object?> { ["errors"] = errors.Select(e => ApiProblems.ToJson(e with { ExternalId = externalId })).ToList() });
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var client = await db.Clients.FirstOrDefaultAsync(c => c.ExternalId == externalId, ct);
        if (client is null)
        {
            return ApiProblems.NotFound($"No client has the external id '{externalId}'.");
        }
        try
        {
            db.ConsentRecords.Add(client.SetConsent(purpose!.Value, granted!.Value, at ?? clock.GetUtcNow().UtcDateTime, source!, evidence));
        }
        catch (DomainException e)
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, "Conflict", e.Message);
        }
        await db.SaveChangesAsync(ct);
        return Results.Ok(ConsentStateResponse.Of(client));
    }

    private static async Task<IResult> ChangeAsync(string externalId, HttpRequest request, IDbContextFactory<PortalDbContext> contexts, TimeProvider clock, bool optOut, CancellationToken ct)
    {
        string? reason = null;
        DateTime? at = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var (document, problem) = await ApiBatch.ReadAsync(request, JsonValueKind.Object, ct);
            if (document is null)
            {
                return problem!;
            }
            var errors = new List<BatchItemError>();
            using (document)
            {
                var r = new JsonItemReader(0, document.RootElement, errors).Begin();
                if (optOut)
                {
                    r.Text("reason", 200, t => reason = t);
                }
                r.Instant("at", t => at = t);
                r.RejectUnknownFields();
            }
            if (errors.Count > 0)
            {
                return ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "Invalid request", "The request has invalid fields.",
                    new Dictionary<string, object?> { ["errors"] = errors.Select(e => ApiProblems.ToJson(e with { ExternalId = externalId })).ToList() });
            }
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var client = await db.Clients.FirstOrDefaultAsync(c => c.ExternalId == externalId, ct);
        if (client is null)
        {
            return ApiProblems.NotFound($"No client has the external id '{externalId}'.");
        }
        var when = at ?? clock.GetUtcNow().UtcDateTime;
        try
        {
            if (optOut)
            {
                client.OptOut(when, reason ?? "api");
            }
            else
            {
                client.OptIn(when);
            }
        }
        catch (DomainException e)
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, "Conflict", e.Message);
        }
        await db.SaveChangesAsync(ct);
        return Results.Ok(ConsentStateResponse.Of(client));
    }
}

/// <param name="Purpose">service or advertising.</param>
/// <param name="Source">Where the change came from, e.g. crm, web-form, call-centre.</param>
/// <param name="Evidence">What proves it: form id, recording id, document number.</param>
/// <param name="At">When the client gave or withdrew consent; now when omitted.</param>
public sealed record ConsentRequest(string Purpose, bool Granted, string Source, string? Evidence, DateTime? At);

public sealed record OptOutRequest(string? Reason, DateTime? At);

public sealed record ConsentStateResponse(string ExternalId, bool ServiceConsent, bool AdvertisingConsent, DateTime? OptedOutAt, string? OptOutReason)
{
    public static ConsentStateResponse Of(Client c) =>
        new(c.ExternalId!, c.ServiceConsent.Granted, c.AdvertisingConsent.Granted, c.OptedOutAt, c.OptOutReason);
}
