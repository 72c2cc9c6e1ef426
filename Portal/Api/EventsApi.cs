using System.Text.Json;
using Portal.Domain.Clients;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Clients;

namespace Portal.Api;

/// <summary><c>/api/v1/events</c>: batch ingestion of what clients did.</summary>
public static class EventsApi
{
    public const int MaxBatch = 5_000;

    public static void MapEventsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/events", IngestAsync)
            .RequireScope(ApiScopes.EventsWrite)
            .Accepts<EventItem[]>("application/json")
            .Produces<IngestResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Record up to 5,000 client events")
            .WithDescription("""
                Purchases add to the client's purchase count and total spend and move the last purchase date;
                every event moves the last activity date. Same contract as PUT /clients: valid events are stored
                and invalid ones listed (200) unless `?atomic=true` (422 and nothing stored); 422 when all are invalid.
                Give each event an `eventId` (your system's id for it, at most 100 characters) so that a retried
                request is safe: an event whose `eventId` was already received is not stored or counted again and
                is reported in `duplicates` (also when the same id appears twice in one batch). Events without an
                `eventId` are stored every time they are sent.
                """);
    }

    private static async Task<IResult> IngestAsync(HttpRequest request, ClientEventIngestion ingestion, CancellationToken ct)
    {
        var (document, problem) = await ApiBatch.ReadAsync(request, JsonValueKind.Array, ct);
        if (document is null)
        {
            return problem!;
        }
        var errors = new List<BatchItemError>();
        var events = new List<IncomingEvent>();
        int count;
        using (document)
        {
            if (ApiBatch.CheckSize(document.RootElement, MaxBatch) is { } tooBig)
            {
                return tooBig;
            }
            count = document.RootElement.GetArrayLength();
            var index = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (Read(index++, item, errors) is { } e)
                {
                    events.Add(e);
                }
            }
        }
        if (!ApiBatch.TryAtomic(request, out var atomic, out var badAtomic))
        {
            return badAtomic!;
        }
        var result = await ingestion.IngestAsync(events, errors, atomic, ct);
        return result.Applied
            ? Results.Ok(new IngestResponse(result.Accepted, result.Duplicates, result.Errors.Select(e => e.Index).Distinct().Count(),
                result.Errors.Select(ApiProblems.ToJson).ToList()))
            : ApiProblems.InvalidItems(result.Errors, count, atomic);
    }

    private static IncomingEvent? Read(int index, JsonElement item, List<BatchItemError> errors)
    {
        var r = new JsonItemReader(index, item, errors).Begin();
        if (!r.IsObject)
        {
            return null;
        }
        var externalId = r.RequiredText("externalId", 64);
        string? eventId = null;
        if (r.Has("eventId", out var id) && id.ValueKind == JsonValueKind.Number)
        {
            eventId = id.GetRawText(); // a CRM's numeric id, kept as written
        }
        else
        {
            r.Text("eventId", ClientEvent.MaxEventKeyLength, k => eventId = k);
        }
        ClientEventType? type = null;
        if (r.Has("type", out _))
        {
            r.Enum<ClientEventType>("type", t => type = t);
        }
        else
        {
            r.Fail("type", "Required: purchase, payment, login, visit or custom.");
        }
        string? name = null;
        r.Text("name", 100, n => name = n);
        if (type == ClientEventType.Custom && name is null)
        {
            r.Fail("name", "A custom event needs a name.");
        }
        decimal? amount = null;
        r.Number("amount", a => amount = a);
        DateTime? occurredAt = null;
        if (r.Has("occurredAt", out _))
        {
            r.Instant("occurredAt", t => occurredAt = t, nullable: false);
        }
        else
        {
            r.Fail("occurredAt", "Required.");
        }
        string? attributes = null;
        if (r.Has("attributes", out var json) && json.ValueKind != JsonValueKind.Null)
        {
            if (json.ValueKind == JsonValueKind.Object)
            {
                attributes = json.GetRawText();
            }
            else
            {
                r.Fail("attributes", "Expected a JSON object.");
            }
        }
        r.RejectUnknownFields();
        return r.Failed ? null : new IncomingEvent(index, externalId!, type!.Value, name, amount, occurredAt!.Value, attributes, eventId);
    }
}

/// <param name="Accepted">Events stored by this request.</param>
/// <param name="Duplicates">Events whose <c>eventId</c> was already received: answered as done, not stored or counted again.</param>
/// <param name="Failed">Events refused; each is listed in <paramref name="Errors"/>.</param>
/// <param name="Errors">The refused events: <c>{index, externalId, field, reason}</c>.</param>
public sealed record IngestResponse(int Accepted, int Duplicates, int Failed, IReadOnlyList<object> Errors);

/// <summary>One event of a <c>POST /api/v1/events</c> batch (documentation of the accepted shape).</summary>
/// <param name="EventId">Your id for the event (idempotency key, at most 100 characters): an event sent again with the same id is reported as a duplicate and not stored twice. Optional.</param>
/// <param name="Type">purchase, payment, login, visit or custom.</param>
/// <param name="Name">Required for custom events.</param>
/// <param name="Attributes">Any JSON object, stored as sent.</param>
public sealed record EventItem(string ExternalId, string? EventId, string Type, string? Name, decimal? Amount, DateTime OccurredAt, Dictionary<string, JsonElement>? Attributes);
