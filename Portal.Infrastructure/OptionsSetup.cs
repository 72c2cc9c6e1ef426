using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Portal.Infrastructure;

public static class OptionsSetup
{
    /// <summary>
    /// How every Portal options class is registered: bound to its configuration section, checked by its
    /// data annotations (and any <see cref="IValidateOptions{TOptions}"/> the feature adds), and checked
    /// when the host starts, so a wrong value stops the node with the setting's name instead of failing
    /// the first campaign. Bound from the configuration passed in rather than <c>BindConfiguration</c>,
    /// which resolves IConfiguration from the container: tests and CLI verbs need not register one.
    /// </summary>
    public static OptionsBuilder<TOptions> AddPortalOptions<TOptions>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
}
