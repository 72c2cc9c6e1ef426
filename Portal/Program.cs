using Portal.Cli;
using Portal.Hosting;
using Portal.Infrastructure;

if (CliVerbs.IsVerb(args))
{
    return await CliVerbs.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddPortalInfrastructure();
builder.AddPortalWeb();

var app = builder.Build();
await app.PrepareDatabaseAsync();
app.UsePortalWeb();
await app.RunAsync();
return 0;

/// <summary>Entry point type, visible to the test host.</summary>
public partial class Program;
