using Microsoft.Extensions.DependencyInjection;

namespace Portal.Infrastructure.Tours;

public static class ToursSetup
{
    /// <summary>Guided tours (issue 18): the catalogue, the built-in tours' seeder, trainees' progress, and the training sandbox.</summary>
    public static IServiceCollection AddPortalTours(this IServiceCollection services)
    {
        services.AddSingleton<TourCatalog>();
        services.AddSingleton<BuiltInTourSeeder>();
        services.AddSingleton<TourTraining>();
        services.AddSingleton<Sandbox.TrainingSandbox>();
        return services;
    }
}
