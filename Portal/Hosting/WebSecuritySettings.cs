namespace Portal.Hosting;

/// <summary>The <c>WebSecurity</c> configuration section (issue 14: ASVS V3, V7, V16).</summary>
public sealed class WebSecuritySettings
{
    public const string Section = "WebSecurity";

    /// <summary>
    /// HSTS and <c>Secure</c> cookies. Empty: on everywhere but Development (whose Kestrel serves
    /// plain HTTP). Behind a TLS-terminating proxy keep it on and configure <see cref="KnownProxies"/>.
    /// </summary>
    public bool? HttpsOnly { get; set; }

    /// <summary>Exception text on error pages and in <c>/health</c>. Empty: only in Development.</summary>
    public bool? DetailedErrors { get; set; }

    /// <summary>HSTS max-age.</summary>
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Reverse proxies whose <c>X-Forwarded-For</c>/<c>-Proto</c> are believed (IP addresses). Empty: loopback only.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of such proxies in CIDR form, e.g. <c>10.0.0.0/8</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a chain to unwrap.</summary>
    public int ForwardLimit { get; set; } = 1;
}

/// <summary>The <c>RateLimits</c> section: per client IP address (after forwarded headers), fixed one-minute windows.</summary>
public sealed class RateLimitSettings
{
    public const string Section = "RateLimits";

    /// <summary>Password, code and recovery-code form posts per address.</summary>
    public int SignInPerMinute { get; set; } = 20;

    /// <summary>All <c>/api/v1</c> calls per address (each key has its own limit too).</summary>
    public int ApiPerMinute { get; set; } = 1200;

    /// <summary>Calls answered 401/403 (no or a wrong key, secret or signature) per address, on the API and callbacks together.</summary>
    public int UnauthenticatedPerMinute { get; set; } = 30;

    /// <summary>Provider callbacks (receipts, inbound SMS) per address: high, a provider reports every message.</summary>
    public int CallbacksPerMinute { get; set; } = 60_000;
}
