using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Portal.Infrastructure.Providers;

/// <summary>
/// The small part of JSONPath a provider's answer needs: <c>$.a.b[0].c</c> (the <c>$.</c> is
/// optional). No filters or wildcards: a provider's id or error sits at one known place.
/// </summary>
public static partial class JsonPathReader
{
    [GeneratedRegex(@"^(\$\.?)?[A-Za-z0-9_\-]+(\[[0-9]+\])*(\.[A-Za-z0-9_\-]+(\[[0-9]+\])*)*$")]
    private static partial Regex PathPattern();

    [GeneratedRegex(@"([^.\[\]]+)|\[([0-9]+)\]")]
    private static partial Regex StepPattern();

    public static bool IsValid(string? path) => string.IsNullOrEmpty(path) || PathPattern().IsMatch(path);

    /// <summary>The value at <paramref name="path"/> as text (numbers and booleans as written); null when absent or JSON null.</summary>
    public static string? Read(JsonElement root, string path)
    {
        var current = root;
        var trimmed = path.StartsWith('$') ? path.TrimStart('$').TrimStart('.') : path;
        foreach (Match step in StepPattern().Matches(trimmed))
        {
            if (step.Groups[1].Success)
            {
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(step.Groups[1].Value, out current)) return null;
            }
            else
            {
                var index = int.Parse(step.Groups[2].Value, CultureInfo.InvariantCulture);
                if (current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength()) return null;
                current = current[index];
            }
        }
        return current.ValueKind switch
        {
            JsonValueKind.String => current.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => current.GetRawText(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => current.GetRawText(),
        };
    }

    /// <summary>Reads <paramref name="path"/> from a text that may not be JSON at all (then null).</summary>
    public static string? TryRead(string body, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return Read(document.RootElement, path);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
