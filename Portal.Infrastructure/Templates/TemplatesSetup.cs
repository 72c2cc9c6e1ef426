using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Domain.Templates;

namespace Portal.Infrastructure.Templates;

public static class TemplatesSetup
{
    /// <summary>Liquid templates: the engine, the versioned store and live preview.</summary>
    public static IServiceCollection AddPortalTemplates(this IServiceCollection services)
    {
        services.TryAddSingleton(_ => new TemplateEngine());
        services.AddSingleton<TemplateStore>();
        services.AddSingleton<TemplatePreview>();
        return services;
    }
}
