namespace Portal.Hosting;

/// <summary>
/// Issue 14 (ASVS V3.7.2): where sign-in pages may send the browser afterwards. The rule is
/// ASP.NET Core's <c>LocalRedirect</c> one (a path on this site, not <c>//host</c> or <c>/\host</c>,
/// no control characters); anything else becomes the home page instead of an error.
/// </summary>
public static class ReturnUrls
{
    public static bool IsLocal(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return false;
        }
        var rest = url[0] == '/' ? url.AsSpan(1)
            : url.Length > 1 && url[0] == '~' && url[1] == '/' ? url.AsSpan(2)
            : default;
        if (url[0] != '/' && !(url.Length > 1 && url[0] == '~' && url[1] == '/'))
        {
            return false;
        }
        if (rest.Length > 0 && (rest[0] == '/' || rest[0] == '\\'))
        {
            return false;
        }
        foreach (var c in rest)
        {
            if (char.IsControl(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A local URL as given ("~/" made "/"), or "/".</summary>
    public static string Resolve(string? url) =>
        IsLocal(url) ? (url![0] == '~' ? url[1..] : url) : "/";
}
