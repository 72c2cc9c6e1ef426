using Portal.Identity;

namespace Portal.Components.Pages.Admin;

public sealed record UserEditorResult(UserEdit Edit, string? Password);
