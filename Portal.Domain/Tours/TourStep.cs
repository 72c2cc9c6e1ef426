namespace Portal.Domain.Tours;

/// <summary>What a step waits for before the tour moves on (issue 18).</summary>
public enum TourWait
{
    /// <summary>The user presses Next.</summary>
    None = 0,

    /// <summary>The user clicks the highlighted control.</summary>
    Click = 1,

    /// <summary>An element <c>[data-tour=Target]</c> appears (a condition row added, a dialog opened).</summary>
    Appear = 2,

    /// <summary>The browser reaches a page whose path starts with <c>Target</c> (a row opened).</summary>
    Navigate = 3,
}

/// <summary>
/// One step of a tour: the page it runs on, the <c>data-tour</c> anchor it highlights, its text in
/// English and Russian, and what it waits for. Anchors are stable attributes on the real controls,
/// never CSS paths, so a renamed control fails the tour tests instead of rotting silently.
/// </summary>
/// <param name="Route">
/// Base-relative page path ("" for the overview, "segments/new"). A trailing <c>*</c> means "any page
/// under this path": the tour never navigates there itself, an earlier <see cref="TourWait.Navigate"/>
/// step takes the user there.
/// </param>
public sealed record TourStep(
    string Route,
    string Anchor,
    string TitleEn,
    string TitleRu,
    string TextEn,
    string TextRu,
    TourWait Wait = TourWait.None,
    string? WaitTarget = null)
{
    public const int MaxAnchorLength = 100;

    public string Title(bool russian) => russian ? TitleRu : TitleEn;

    public string Text(bool russian) => russian ? TextRu : TextEn;

    /// <summary>Whether a base-relative path (no query) is this step's page.</summary>
    public bool IsOnPage(string path)
    {
        path = path.Trim('/');
        var route = Route.Trim('/');
        return route.EndsWith('*')
            ? path.StartsWith(route.TrimEnd('*').TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
            : string.Equals(path, route, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The reasons this step cannot be saved, as message keys (empty when valid).</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Anchor) || Anchor.Length > MaxAnchorLength || !Anchor.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            yield return "An anchor is 1 to 100 letters, digits, dashes or underscores.";
        }
        if (string.IsNullOrWhiteSpace(TextEn) || string.IsNullOrWhiteSpace(TextRu))
        {
            yield return "Every step needs its text in English and in Russian.";
        }
        if (Wait is TourWait.Appear or TourWait.Navigate && string.IsNullOrWhiteSpace(WaitTarget))
        {
            yield return "A step that waits for an element or a page needs its target.";
        }
    }
}
