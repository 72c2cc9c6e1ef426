using Portal.Infrastructure;

namespace Portal.Cli;

/// <summary>The host a verb runs in: the same configuration and infrastructure as the web app, no web server.</summary>
internal static class VerbHost
{
    public static IHost Build(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = WebContentRoot(),
        });
        // A verb is no web node: nobody opens its dashboard, so it does not keep one warm (a
        // benchmark's figures would include the warmer's reads). An argument can still turn it on.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = [new("Dashboard:WarmEvery", "00:00:00")],
        });
        builder.AddPortalInfrastructure();
        return builder.Build();
    }

    /// <summary>The same content root the web app gets, so both find one embedded database.</summary>
    public static string WebContentRoot() => Directory.GetCurrentDirectory();
}
