using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Bi;

namespace Portal.Api;

/// <summary>
/// <c>/api/v1/analytics/{dataset}</c> (issue 16, item 4): the BI datasets, paged by keyset on the
/// dataset's id (the cursor is the last id, opaque to the caller), so page 10,000 costs what page 1
/// costs. Never personal data: an API key is not a person with the personal-data permission, so the
/// client is the pseudonymous key only.
/// </summary>
public static class AnalyticsApi
{
    public const int DefaultLimit = 1_000;
    /// <summary>Aggregates are not paged: their period is capped instead.</summary>
    public const int MaxAggregateDays = 366;

    public static void MapAnalyticsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/analytics/{dataset}", GetAsync)
            .RequireScope(ApiScopes.AnalyticsRead)
            .Produces<AnalyticsPageDoc>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetAnalyticsDataset")
            .WithTags("Analytics")
            .WithSummary("Read a BI dataset page by page")
            .WithDescription("""
                Datasets: messages, campaigns, replies (keyset-paged by their id), daily_cost and conversions
                (aggregates: one page, period required, at most 366 days). Filters: `from` and `to` (UTC, ISO 8601;
                to is exclusive) on the dataset's own time column, `campaignId` (a campaign and its runs),
                `departmentId`. `limit` is 1 to 10,000 (default 1,000). Pass `cursor` from the previous page's
                `nextCursor` with the same filters; `nextCursor` is null on the last page. Columns and types are
                in docs/bi.md; `client_key` is a keyed pseudonym, never a phone or a name.
                """);
    }

    private static async Task GetAsync(HttpContext http, string dataset, DateTime? from, DateTime? to, int? campaignId, int? departmentId,
        int? limit, string? cursor, BiReader reader, IOptions<BiOptions> options, CancellationToken ct)
    {
        var ds = BiDatasets.Find(dataset);
        if (ds is null)
        {
            await ApiProblems.WriteAsync(http, StatusCodes.Status404NotFound, "Unknown dataset",
                $"Datasets: {string.Join(", ", BiDatasets.All.Select(d => d.Name))}.");
            return;
        }
        var max = options.Value.MaxPageSize;
        var size = limit ?? DefaultLimit;
        if (size < 1 || size > max)
        {
            await ApiProblems.WriteAsync(http, StatusCodes.Status400BadRequest, "Bad limit", $"limit is 1 to {max}.");
            return;
        }
        long? after = null;
        if (cursor is not null)
        {
            if (!ds.Keyed || DecodeCursor(cursor, ds.Name) is not { } a)
            {
                await ApiProblems.WriteAsync(http, StatusCodes.Status400BadRequest, "Bad cursor", "Pass nextCursor of the previous page of the same dataset unchanged.");
                return;
            }
            after = a;
        }
        var utcFrom = from?.ToUniversalTime();
        var utcTo = to?.ToUniversalTime();
        if (!ds.Keyed && (utcFrom is null || utcTo is null || utcTo <= utcFrom || (utcTo - utcFrom).Value.TotalDays > MaxAggregateDays))
        {
            await ApiProblems.WriteAsync(http, StatusCodes.Status400BadRequest, "Period required",
                $"{ds.Name} is an aggregate: give from and to, at most {MaxAggregateDays} days apart.");
            return;
        }
        var filter = new BiFilter(utcFrom, utcTo, departmentId, campaignId);
        var columns = ds.Columns(personal: false);

        http.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(http.Response.BodyWriter.AsStream());
        json.WriteStartObject();
        json.WriteString("dataset", ds.Name);
        json.WriteNumber("schemaVersion", ds.SchemaVersion);
        json.WriteStartArray("columns");
        foreach (var c in columns)
        {
            json.WriteStartObject();
            json.WriteString("name", c.Name);
            json.WriteString("type", c.Type.ToString().ToLowerInvariant());
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("rows");
        var (n, last) = await WriteRowsAsync(json, columns, reader.ReadRowsAsync(ds, filter, false, after, ds.Keyed ? size : null, ct), ds.Keyed, ct);
        json.WriteEndArray();
        json.WriteNumber("count", n);
        if (ds.Keyed && n == size && last is { } l) json.WriteString("nextCursor", EncodeCursor(ds.Name, l));
        else json.WriteNull("nextCursor");
        json.WriteEndObject();
        await json.FlushAsync(ct);
    }

    /// <summary>
    /// Writes a page's rows as JSON objects from the reader's typed slots (no value is boxed; the
    /// property names are encoded once per page). Returns the count and, for a keyed dataset, the
    /// last id (the cursor). <c>bench export</c> times a page through this same method.
    /// </summary>
    internal static async Task<(int Count, long? Last)> WriteRowsAsync(Utf8JsonWriter json, IReadOnlyList<BiColumn> columns,
        IAsyncEnumerable<BiRow> rows, bool keyed, CancellationToken ct)
    {
        var names = columns.Select(c => JsonEncodedText.Encode(c.Name)).ToArray();
        long? last = null;
        var n = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            json.WriteStartObject();
            for (var i = 0; i < names.Length; i++)
            {
                json.WritePropertyName(names[i]);
                WriteValue(json, row, i);
            }
            json.WriteEndObject();
            if (keyed) last = row.Integer(0);
            n++;
            if (json.BytesPending > 1 << 16) await json.FlushAsync(ct);
        }
        return (n, last);
    }

    private static void WriteValue(Utf8JsonWriter json, BiRow row, int i)
    {
        if (row.IsNull(i))
        {
            json.WriteNullValue();
            return;
        }
        switch (row.TypeOf(i))
        {
            case BiType.Int32 or BiType.Int64: json.WriteNumberValue(row.Integer(i)); break;
            case BiType.Boolean: json.WriteBooleanValue(row.Boolean(i)); break;
            case BiType.Decimal: json.WriteNumberValue(row.Decimal(i)); break;
            case BiType.Double: json.WriteNumberValue(row.Double(i)); break;
            case BiType.Date:
                Span<char> day = stackalloc char[10];
                row.Time(i).TryFormat(day, out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                json.WriteStringValue(day[..written]);
                break;
            case BiType.Timestamp: json.WriteStringValue(DateTime.SpecifyKind(row.Time(i), DateTimeKind.Utc)); break;
            default: json.WriteStringValue(row.Text(i)); break;
        }
    }

    /// <summary>Opaque to callers (base64url of "dataset:last id"); it carries no filter, so the filters are passed again.</summary>
    internal static string EncodeCursor(string dataset, long lastId) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"v1:{dataset}:{lastId.ToString(CultureInfo.InvariantCulture)}"));

    internal static long? DecodeCursor(string cursor, string dataset)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split(':');
            return parts.Length == 3 && parts[0] == "v1" && parts[1] == dataset
                && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Adds a response example and the dataset names to the operation in the OpenAPI document.</summary>
    public static Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName != "GetAnalyticsDataset")
        {
            return Task.CompletedTask;
        }
        foreach (var p in operation.Parameters ?? [])
        {
            if (p is OpenApiParameter { Name: "dataset" } dp)
            {
                dp.Description = "messages, campaigns, replies, daily_cost or conversions";
                dp.Example = JsonValue.Create("messages");
            }
            if (p is OpenApiParameter { Name: "cursor" } cp) cp.Description = "nextCursor of the previous page (same filters).";
        }
        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.TryGetValue("application/json", out var media) == true && media is OpenApiMediaType m)
        {
            m.Example = JsonNode.Parse("""
                {
                  "dataset": "messages", "schemaVersion": 1,
                  "columns": [{"name": "message_id", "type": "int64"}, {"name": "campaign_id", "type": "int32"}, {"name": "client_key", "type": "text"},
                              {"name": "status", "type": "text"}, {"name": "parts", "type": "int32"}, {"name": "cost", "type": "decimal"},
                              {"name": "queued_at", "type": "timestamp"}],
                  "rows": [{"message_id": 1042, "campaign_id": 7, "client_key": "3f1c9a0e5b7d2c4e8a6f0b1d3c5e7a9f", "status": "Delivered",
                            "parts": 2, "cost": 0.7000, "queued_at": "2026-11-30T09:00:00Z"}],
                  "count": 1,
                  "nextCursor": "djE6bWVzc2FnZXM6MTA0Mg"
                }
                """);
        }
        return Task.CompletedTask;
    }
}

/// <summary>The shape of a page, for the OpenAPI document (the endpoint writes it streamed).</summary>
public sealed record AnalyticsPageDoc(string Dataset, int SchemaVersion, IReadOnlyList<AnalyticsColumnDoc> Columns,
    IReadOnlyList<Dictionary<string, object?>> Rows, int Count, string? NextCursor);

public sealed record AnalyticsColumnDoc(string Name, string Type);
