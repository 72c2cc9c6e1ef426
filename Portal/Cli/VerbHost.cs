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
        builder.AddPortalInfrastructure();
        return builder.Build();
    }

    /// <summary>The same content root the web app gets, so both find one embedded database.</summary>
    public static string WebContentRoot() => Directory.GetCurrentDirectory();
}
