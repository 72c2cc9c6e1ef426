using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>
/// Issue 21, "registration per feature": every options class is bound one way
/// (<c>AddPortalOptions</c>: its section, its data annotations, checked when the host starts), so a
/// wrong setting stops the node at start with the setting's name.
/// </summary>
public class OptionsValidationTests
{
    [Fact]
    public async Task EveryOptionsClass_IsValidatedWhenTheHostStarts()
    {
        await using var app = await new PortalAppFactory().StartAsync();

        // Options classes are the ones with a configuration section name.
        var optionsTypes = new[] { typeof(Program).Assembly, typeof(PortalDbContext).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.IsClass && t.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Any(f => f.IsLiteral && f.Name is "Section" or "SectionName" && f.FieldType == typeof(string)))
            .ToList();
        Assert.True(optionsTypes.Count >= 20, $"found only {optionsTypes.Count} options classes");

        // ValidateOnStart keeps one entry per options type in the framework's StartupValidatorOptions.
        var startupOptionsType = typeof(OptionsBuilder<>).Assembly.GetType("Microsoft.Extensions.Options.StartupValidatorOptions", throwOnError: true)!;
        var wrapper = app.Services.GetRequiredService(typeof(IOptions<>).MakeGenericType(startupOptionsType));
        var startupOptions = wrapper.GetType().GetProperty("Value")!.GetValue(wrapper);
        var validators = (System.Collections.IDictionary)startupOptionsType.GetProperty("_validators")!.GetValue(startupOptions)!;
        var validated = validators.Keys.Cast<(Type Type, string Name)>().Select(k => k.Type).ToHashSet();

        var unvalidated = optionsTypes.Where(t => !validated.Contains(t) && IsRegistered(app.Services, t)).Select(t => t.FullName).ToList();
        Assert.True(unvalidated.Count == 0, "options bound without AddPortalOptions (no start-up validation): " + string.Join(", ", unvalidated));
        var unregistered = optionsTypes.Where(t => !IsRegistered(app.Services, t)).Select(t => t.Name).ToList();
        Assert.True(unregistered.Count <= 2, "options classes nobody registers: " + string.Join(", ", unregistered));
    }

    [Theory]
    [InlineData("Sending:BatchSize", "0", "BatchSize")]
    [InlineData("Sending:PriorityReservedShare", "1.5", "PriorityReservedShare")]
    [InlineData("Sending:SweepInterval", "-00:00:01", "SweepInterval")]
    [InlineData("Retention:MessageDays", "0", "MessageDays")]
    [InlineData("Sync:EventBatchSize", "0", "EventBatchSize")]
    [InlineData("Inbound:ReplySender", "", "ReplySender")]
    [InlineData("Identity:IdleTimeout", "00:00:00", "IdleTimeout")]
    [InlineData("Dashboard:PublishInterval", "00:00:00", "PublishInterval")]
    public async Task WrongSetting_StopsTheHostAtStart_NamingIt(string key, string value, string name)
    {
        await using var factory = new PortalAppFactory();
        factory.Settings[key] = value;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => factory.StartAsync());

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    private static bool IsRegistered(IServiceProvider services, Type options) =>
        services.GetService(typeof(IConfigureOptions<>).MakeGenericType(options)) is not null;
}
