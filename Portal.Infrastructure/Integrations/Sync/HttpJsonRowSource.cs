using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Portal.Infrastructure.Integrations.Sync;

/// <summary>
/// GETs a URL (<c>{watermark}</c> replaced by the last watermark, URL-encoded, empty on the first
/// run) whose body is a JSON array of objects, streamed element by element. An element that is
/// not an object is a bad row; a body that is not a JSON array fails the run.
/// </summary>
public sealed class HttpJsonRowSource : SyncRowSource
{
    private readonly HttpResponseMessage _response;
    private readonly IAsyncEnumerable<JsonElement> _items;
    private readonly string? _watermarkColumn;
    private readonly CancellationToken _ct;

    private HttpJsonRowSource(IReadOnlyList<string> headers, HttpResponseMessage response, IAsyncEnumerable<JsonElement> items,
        string? watermarkColumn, CancellationToken ct) : base(headers)
    {
        (_response, _items, _watermarkColumn, _ct) = (response, items, watermarkColumn, ct);
    }

    public static string Expand(string url, string? watermark) => url.Replace("{watermark}", Uri.EscapeDataString(watermark ?? ""), StringComparison.Ordinal);

    /// <exception cref="InvalidDataException">The endpoint answered with an error status.</exception>
    public static async Task<HttpJsonRowSource> OpenAsync(HttpClient http, string url, string? token, string? watermarkColumn, string? watermark,
        IReadOnlyList<string> columns, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Expand(url, watermark));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if ((int)response.StatusCode is >= 300 and < 400 || response.RequestMessage?.RequestUri != request.RequestUri)
        {
            // Issue 14: a redirect may point at an internal address; the sync follows none.
            response.Dispose();
            throw new InvalidDataException("The endpoint answered with a redirect; sync follows no redirects (configure the final URL).");
        }
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new InvalidDataException($"The endpoint answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }
        var stream = await response.Content.ReadAsStreamAsync(ct);
        var items = JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(stream, cancellationToken: ct);
        return new HttpJsonRowSource(columns, response, items, string.IsNullOrWhiteSpace(watermarkColumn) ? null : watermarkColumn, ct);
    }

    public override IEnumerable<string?[]> Rows()
    {
        // The import engine reads rows synchronously; a run is a background job, so blocking its thread is fine.
        foreach (var item in _items.ToBlockingEnumerable(_ct))
        {
            RowsRead++;
            if (item.ValueKind != JsonValueKind.Object)
            {
                BadRows.Add((CurrentRow, $"Element {RowsRead} is not a JSON object."));
                continue;
            }
            var cells = new string?[Headers.Count];
            for (var i = 0; i < cells.Length; i++)
            {
                cells[i] = item.TryGetProperty(Headers[i], out var value) ? Text(value) : null;
            }
            if (_watermarkColumn is not null && item.TryGetProperty(_watermarkColumn, out var mark))
            {
                SeeWatermark(Comparable(mark));
            }
            yield return cells;
        }
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => "1",
        JsonValueKind.False => "0",
        _ => value.GetRawText(),
    };

    /// <summary>Numbers compare as numbers and ISO timestamps as instants, anything else as text.</summary>
    private static IComparable? Comparable(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.TryGetDecimal(out var n) ? n : value.GetDouble(),
        JsonValueKind.String when DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            && value.GetString()!.Contains('-') => t.ToUniversalTime(),
        JsonValueKind.String => value.GetString(),
        _ => null,
    };

    public override ValueTask DisposeAsync()
    {
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
