using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Portal.Api;
using Portal.Components;
using Portal.Identity;
using Portal.Infrastructure;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;

namespace Portal.Hosting;

/// <summary>The web host: Blazor, MudBlazor, Identity, localization, health. Program.cs calls these two.</summary>
public static class WebSetup
{
    public static readonly CultureInfo[] Cultures = [new("en"), new("ru")];

    public static WebApplicationBuilder AddPortalWeb(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddScoped<Portal.Components.Tours.TourRunner>();
        services.AddScoped<Portal.Components.Sandbox.SandboxState>();
        services.AddPortalOptions<Portal.Components.Tours.TourOptions>(builder.Configuration, Portal.Components.Tours.TourOptions.Section);
        services.AddTransient<MudBlazor.MudLocalizer, Portal.Resources.PortalMudLocalizer>();
        services.AddLocalization();
        services.AddHttpContextAccessor();

        services.AddPortalOptions<IdentitySettings>(builder.Configuration, IdentitySettings.Section);
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingAuthenticationStateProvider>();
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Account/Login";
            o.AccessDeniedPath = "/Account/AccessDenied";
            o.Cookie.Name = "Portal.Auth";
            o.SlidingExpiration = true;
        });
        // Issue 14: idle and absolute lifetimes, Secure cookies outside Development (ASVS V7.3, V3.3).
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<IdentitySettings>, IOptions<WebSecuritySettings>, IHostEnvironment, TimeProvider>((o, identity, web, env, clock) =>
            {
                o.ExpireTimeSpan = identity.Value.IdleTimeout;
                var validate = o.Events.OnValidatePrincipal;
                var signingIn = o.Events.OnSigningIn;
                o.Events.OnSigningIn = async context =>
                {
                    AccountSecurity.OnSigningIn(context, clock);
                    await signingIn(context);
                };
                o.Events.OnValidatePrincipal = async context =>
                {
                    context.Properties.Items.TryGetValue(AccountSecurity.SignedInAt, out var at);
                    if (AccountSecurity.IsPastAbsoluteLifetime(at, identity.Value.AbsoluteSessionLifetime, clock))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                        return;
                    }
                    await validate(context);
                };
            });
        foreach (var scheme in new[] { IdentityConstants.ApplicationScheme, IdentityConstants.TwoFactorUserIdScheme, IdentityConstants.TwoFactorRememberMeScheme, IdentityConstants.ExternalScheme })
        {
            services.AddOptions<CookieAuthenticationOptions>(scheme)
                .Configure<IOptions<WebSecuritySettings>, IHostEnvironment>((o, web, env) =>
                    o.Cookie.SecurePolicy = web.Value.IsHttpsOnly(env) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest);
        }
        services.AddOptions<AntiforgeryOptions>()
            .Configure<IOptions<WebSecuritySettings>, IHostEnvironment>((o, web, env) =>
            {
                o.Cookie.SecurePolicy = web.Value.IsHttpsOnly(env) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                if (web.Value.IsHttpsOnly(env))
                {
                    o.Cookie.Name = "__Host-Portal.Antiforgery";
                }
            });
        // ASVS V3.3.3: over HTTPS the session cookie is a __Host- cookie (Secure, Path=/, no Domain: no subdomain can set or read it).
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<WebSecuritySettings>, IHostEnvironment>((o, web, env) =>
            {
                if (web.Value.IsHttpsOnly(env))
                {
                    o.Cookie.Name = "__Host-Portal.Auth";
                    o.Cookie.Path = "/";
                }
            });
        services.AddOptions<SecurityStampValidatorOptions>()
            .Configure<IOptions<IdentitySettings>>((o, s) =>
            {
                o.ValidationInterval = s.Value.RevalidationInterval;
                o.OnRefreshingPrincipal = AccountSecurity.CopySessionClaims;
            });
        services.AddPortalOptions<WebSecuritySettings>(builder.Configuration, WebSecuritySettings.Section);
        services.AddPortalOptions<RateLimitSettings>(builder.Configuration, RateLimitSettings.Section);
        services.AddSingleton<IpRateLimits>();
        services.AddHsts(_ => { });
        services.AddOptions<HstsOptions>().Configure<IOptions<WebSecuritySettings>>((o, web) =>
        {
            o.MaxAge = web.Value.HstsMaxAge;
            o.IncludeSubDomains = true;
        });
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<WebSecuritySettings>>((o, web) =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = web.Value.ForwardLimit;
            if (web.Value.KnownProxies.Count > 0 || web.Value.KnownNetworks.Count > 0)
            {
                // Configured: exactly these (the default trusts loopback only).
                o.KnownProxies.Clear();
                o.KnownIPNetworks.Clear();
                foreach (var proxy in web.Value.KnownProxies)
                {
                    o.KnownProxies.Add(IPAddress.Parse(proxy));
                }
                foreach (var network in web.Value.KnownNetworks)
                {
                    o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
                }
            }
        });
        services.AddAuthorization(Policies.Configure);

        services.AddIdentityCore<PortalUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 12;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddClaimsPrincipalFactory<PortalClaimsPrincipalFactory>()
            .AddSignInManager<PortalSignInManager>()
            .AddErrorDescriber<LocalizedIdentityErrorDescriber>()
            .AddDefaultTokenProviders()
            // Issue 14: authenticator codes accepted once (replaces Identity's provider of that name).
            .AddTokenProvider<OneTimeAuthenticatorTokenProvider>(TokenOptions.DefaultAuthenticatorProvider);
        // Issue 14: recovery codes stored hashed (Identity's EF store keeps them in clear).
        services.Replace(ServiceDescriptor.Scoped<IUserStore<PortalUser>, HashedRecoveryCodesUserStore>());
        services.AddScoped<UserAccounts>();

        builder.AddPortalApi();
        builder.AddPortalWebTelemetry();
        return builder;
    }

    public static WebApplication UsePortalWeb(this WebApplication app)
    {
        // Issue 13: a node without the web role (a sender or a scheduler behind no load balancer)
        // serves no page, no API and no sign-in: /health only, for the orchestrator's probe.
        if (!app.Services.GetRequiredService<Portal.Infrastructure.Cluster.NodeRoles>().Web)
        {
            app.MapPortalHealthChecks();
            return app;
        }
        var web = app.Services.GetRequiredService<IOptions<WebSecuritySettings>>().Value;
        // The client address and scheme as the trusted proxy saw them: rate limits, HSTS and Secure cookies depend on them.
        app.UseForwardedHeaders();
        if (!web.ShowsDetailedErrors(app.Environment))
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }
        if (web.IsHttpsOnly(app.Environment))
        {
            app.UseHsts();
        }
        app.UsePortalSecurityHeaders();
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        // Before authentication, so refused API keys and sign-in floods are cut off before they cost a lookup.
        var limits = app.Services.GetRequiredService<IpRateLimits>();
        app.Use((context, next) => limits.InvokeAsync(context, next));
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAccountSetupGate();
        app.UseRequestLocalization(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("en");
            o.SupportedCultures = o.SupportedUICultures = Cultures;
        });
        app.MapPortalApi();
        app.UseAntiforgery();
        app.MapStaticAssets();
        // The CSP (with frame-ancestors) comes from UsePortalSecurityHeaders: no second header from Blazor.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        app.MapAccountEndpoints();
        app.MapExportEndpoints();
        app.MapAnalyticsEndpoints();
        app.MapBiEndpoints();
        app.MapPortalHealthChecks();
        app.MapPortalMetrics();
        return app;
    }

    public static bool IsHttpsOnly(this WebSecuritySettings settings, IHostEnvironment env) =>
        settings.HttpsOnly ?? !env.IsDevelopment();

    public static bool ShowsDetailedErrors(this WebSecuritySettings settings, IHostEnvironment env) =>
        settings.DetailedErrors ?? env.IsDevelopment();
}
