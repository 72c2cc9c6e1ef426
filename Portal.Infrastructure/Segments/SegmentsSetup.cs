using Microsoft.Extensions.DependencyInjection;

namespace Portal.Infrastructure.Segments;

public static class SegmentsSetup
{
    /// <summary>Audiences: saved segments, their counts and samples, and static lists.</summary>
    public static IServiceCollection AddPortalSegments(this IServiceCollection services)
    {
        services.AddSingleton<SegmentAudience>();
        services.AddSingleton<SegmentStore>();
        services.AddSingleton<StaticListImport>();
        return services;
    }
}
