using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Portal.Components.Pages.Providers;
using Portal.Infrastructure.Providers;

namespace Portal.Tests.Components;

/// <summary>The HTTP part of the provider editor: callback URLs to copy, the secret write-only.</summary>
public class HttpProviderFieldsTests
{
    private static BunitContext Context()
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(sp => new ProviderCallbackUrls(Options.Create(new ProvidersOptions { CallbackBaseUrl = "https://portal.example/" }), sp));
        return ctx;
    }

    /// <summary>MudBlazor puts the test id on the input (or textarea) itself.</summary>
    private static string ValueOf(IRenderedComponent<HttpProviderFields> fields, string testId)
    {
        var element = fields.FindAll($"input[data-testid={testId}], textarea[data-testid={testId}]").FirstOrDefault()
                      ?? fields.Find($"[data-testid={testId}] input, [data-testid={testId}] textarea");
        return element.GetAttribute("value") ?? element.TextContent;
    }

    [Fact]
    public async Task SavedProvider_ShowsBothCallbackUrls_NeverTheStoredSecret()
    {
        await using var ctx = Context();
        var draft = new ProviderDraft { Kind = Portal.Domain.Providers.ProviderKind.Http, HasCallbackSecret = true, CallbackSecret = null };
        draft.Http.Apply(HttpProviderPreset.Kannel);

        var fields = ctx.Render<HttpProviderFields>(p => p.Add(x => x.Draft, draft).Add(x => x.ProviderId, 12));

        Assert.Equal("https://portal.example/api/providers/12/receipts", ValueOf(fields, "provider-receipts-url"));
        Assert.Equal("https://portal.example/api/providers/12/inbound", ValueOf(fields, "provider-inbound-url"));
        var secret = fields.Find("input[data-testid=provider-callback-secret]");
        Assert.Equal("password", secret.GetAttribute("type"));
        Assert.True(string.IsNullOrEmpty(secret.GetAttribute("value")));
        Assert.Contains("Leave empty to keep the stored one", fields.Markup);
        Assert.Contains("/cgi-bin/sendsms?username={username}", ValueOf(fields, "provider-url"));
    }

    [Fact]
    public async Task NewProvider_SaysTheUrlsComeAfterSaving()
    {
        await using var ctx = Context();

        var fields = ctx.Render<HttpProviderFields>(p => p.Add(x => x.Draft, new ProviderDraft { Kind = Portal.Domain.Providers.ProviderKind.Http }));

        Assert.Empty(fields.FindAll("[data-testid=provider-receipts-url]"));
        Assert.NotEmpty(fields.FindAll("[data-testid=provider-callback-secret]"));
        Assert.Contains("The callback URLs appear here once the provider is saved.", fields.Markup);
    }
}
