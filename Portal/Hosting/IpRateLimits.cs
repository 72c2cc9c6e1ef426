using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Portal.Hosting;

/// <summary>
/// Issue 14 (ASVS V6.3.1, V4.4): per-IP limits on sign-in posts, the CRM API and provider
/// callbacks, and a small budget of refused (401/403) calls per address. Runs before
/// authentication, so a flood of wrong keys is stopped before each costs a key lookup. Answers
/// 429 with Retry-After. The address is the one forwarded headers resolved (trusted proxies only).
/// </summary>
public sealed class IpRateLimits : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly PartitionedRateLimiter<string> _signIn, _api, _callbacks, _refused;

    public IpRateLimits(IOptions<RateLimitSettings> options)
    {
        var o = options.Value;
        _signIn = Create(o.SignInPerMinute);
        _api = Create(o.ApiPerMinute);
        _callbacks = Create(o.CallbacksPerMinute);
        _refused = Create(o.UnauthenticatedPerMinute);
    }

    private static PartitionedRateLimiter<string> Create(int perMinute) =>
        PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, perMinute), Window = Window, QueueLimit = 0 }));

    public static bool IsSignInPost(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) &&
        (request.Path.Equals("/Account/Login", StringComparison.OrdinalIgnoreCase) ||
         request.Path.Equals("/Account/LoginWith2fa", StringComparison.OrdinalIgnoreCase) ||
         request.Path.Equals("/Account/LoginWithRecoveryCode", StringComparison.OrdinalIgnoreCase) ||
         request.Path.Equals("/Account/ChangePassword", StringComparison.OrdinalIgnoreCase));

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var address = Address(context.Connection.RemoteIpAddress);
        var isApi = request.Path.StartsWithSegments("/api/v1");
        var isCallback = request.Path.StartsWithSegments("/api/providers");
        var limiter = IsSignInPost(request) ? _signIn : isApi ? _api : isCallback ? _callbacks : null;
        if (limiter is null)
        {
            await next(context);
            return;
        }
        if (isApi || isCallback)
        {
            // The refused budget is only looked at here; a refusal spends it below.
            using var refused = _refused.AttemptAcquire(address, 0);
            if (!refused.IsAcquired)
            {
                await RejectAsync(context, refused);
                return;
            }
        }
        using var lease = limiter.AttemptAcquire(address);
        if (!lease.IsAcquired)
        {
            await RejectAsync(context, lease);
            return;
        }
        await next(context);
        if ((isApi || isCallback) && context.Response.StatusCode is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden)
        {
            _refused.AttemptAcquire(address).Dispose();
        }
    }

    private static string Address(IPAddress? ip)
    {
        if (ip is null)
        {
            return "unknown";
        }
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }
        // One IPv6 host usually holds a whole /64: partition by it, or every address is a new budget.
        if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            var bytes = ip.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }
        return ip.ToString();
    }

    private static async Task RejectAsync(HttpContext context, RateLimitLease lease)
    {
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : Window;
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("Too many requests from this address. Try again later.");
    }

    public void Dispose()
    {
        _signIn.Dispose();
        _api.Dispose();
        _callbacks.Dispose();
        _refused.Dispose();
    }
}
