using System.Text.Json;

namespace Portal.Api;

/// <summary>
/// Reads a batch body by hand rather than through parameter binding: malformed JSON must become
/// a 400 problem naming the position, and items must be checked field by field to name each error.
/// </summary>
public static class ApiBatch
{
    /// <returns>The parsed document, or the problem to answer with.</returns>
    public static async Task<(JsonDocument? Document, IResult? Problem)> ReadAsync(HttpRequest request, JsonValueKind expected, CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 16 }, ct);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            return (null, ApiProblems.BadRequest($"The request body is not valid JSON{where}."));
        }
        if (document.RootElement.ValueKind != expected)
        {
            document.Dispose();
            return (null, ApiProblems.BadRequest($"The request body must be a JSON {(expected == JsonValueKind.Array ? "array" : "object")}."));
        }
        return (document, null);
    }

    /// <summary>Checks a batch array's size; null when it is fine.</summary>
    public static IResult? CheckSize(JsonElement array, int max)
    {
        var count = array.GetArrayLength();
        return count switch
        {
            0 => ApiProblems.BadRequest("The batch is empty."),
            _ when count > max => ApiProblems.BadRequest($"The batch holds {count} items; the limit is {max}."),
            _ => null,
        };
    }

    /// <summary>
    /// Reads <c>?atomic=</c>: true/false or 1/0; absent is false. Anything else is a 400, never a
    /// silent "non-atomic" (<c>atomic=1</c> used to mean false; issue 20, item 17).
    /// </summary>
    public static bool TryAtomic(HttpRequest request, out bool atomic, out IResult? problem)
    {
        atomic = false;
        problem = null;
        if (!request.Query.TryGetValue("atomic", out var values))
        {
            return true;
        }
        switch (values.Count == 1 ? values[0]?.Trim().ToLowerInvariant() : null)
        {
            case "true" or "1":
                atomic = true;
                return true;
            case "false" or "0":
                return true;
            default:
                problem = ApiProblems.BadRequest($"'atomic' is true or false (or 1 or 0), not '{string.Join(",", values.ToArray())}'.");
                return false;
        }
    }
}
