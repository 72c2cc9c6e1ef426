using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Portal.Infrastructure.MessagesApi;

public static class MessagesApiSetup
{
    /// <summary>The send API (issue 19): accepting messages and delivering status callbacks to the caller's URL.</summary>
    public static IServiceCollection AddPortalMessagesApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPortalOptions<MessagesApiOptions>(configuration, MessagesApiOptions.Section);
        services.AddSingleton<StatusCallbackOutbox>();
        services.AddSingleton<Sending.IStatusCallbackQueue>(sp => sp.GetRequiredService<StatusCallbackOutbox>());
        services.AddSingleton<CallbackSecrets>();
        services.AddSingleton<MessageSubmission>();
        services.AddHttpClient(StatusCallbackService.HttpClientName, (sp, http) =>
            http.Timeout = sp.GetRequiredService<IOptions<MessagesApiOptions>>().Value.CallbackTimeout);
        services.AddSingleton<StatusCallbackService>();
        services.AddHostedService(sp => sp.GetRequiredService<StatusCallbackService>());
        return services;
    }
}
