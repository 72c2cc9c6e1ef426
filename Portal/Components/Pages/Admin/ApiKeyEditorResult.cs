namespace Portal.Components.Pages.Admin;

/// <summary>What the new-key dialog asks the page to create.</summary>
public sealed record ApiKeyEditorResult(string Name, IReadOnlyList<string> Scopes, int RequestsPerMinute);
