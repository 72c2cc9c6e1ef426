using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Infrastructure.Sandbox;

namespace Portal.Components.Sandbox;

/// <summary>
/// Issue 18: whether this circuit's user works in their training sandbox. The flag lives on the user
/// (so it survives sign-out and restarts); the layout reads it here once per circuit and repaints
/// the banner and the app bar when it changes. While it is on, the layout shows only the sandbox
/// page, the account pages and the real editors whose stores read and write the sandbox partition
/// (<see cref="Allows"/>): audiences, templates and campaigns. A trainee never sees real clients.
/// </summary>
public sealed class SandboxState(AuthenticationStateProvider authentication, TrainingSandbox sandbox)
{
    /// <summary>The app bar's colour in the sandbox: amber, far from the real app bar's blue.</summary>
    public const string AppBarColour = "#9A3412";

    public bool Active { get; private set; }

    public string? UserId { get; private set; }

    public event Action? Changed;

    public async Task LoadAsync(CancellationToken ct)
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        UserId = user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;
        Active = UserId is not null && await sandbox.IsActiveAsync(UserId, ct);
    }

    public async Task SetAsync(bool on, CancellationToken ct)
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("Not signed in.");
        await sandbox.SetModeAsync(user, id, on, ct);
        UserId = id;
        Active = on;
        Changed?.Invoke();
    }

    /// <summary>Pages a user in sandbox mode may open (base-relative path, no query).</summary>
    public static bool Allows(string path) =>
        path.StartsWith("training/sandbox", StringComparison.OrdinalIgnoreCase)
        || path.StartsWith("Account/", StringComparison.OrdinalIgnoreCase)
        || path.Equals("Account", StringComparison.OrdinalIgnoreCase)
        || PartitionedEditors.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase) || (path.StartsWith(p + "/", StringComparison.OrdinalIgnoreCase)
            && !path.Equals("segments/lists", StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// Issue 18: pages whose every read and save goes through a store taking the user's
    /// <see cref="Portal.Domain.Access.DepartmentScope"/>, so in the sandbox they show and write the
    /// trainee's sandbox rows only (ADR 0015). Static lists are real data and stay closed.
    /// </summary>
    private static readonly string[] PartitionedEditors = ["segments", "templates", "campaigns"];
}
