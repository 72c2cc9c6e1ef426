using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Portal.Domain.Access;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

public class LocalizationTests
{
    private static HashSet<string> RussianKeys() =>
        XDocument.Load(Path.Combine(TestEnvironment.RepoRoot, "Portal/Resources/SharedResource.ru.resx"))
            .Root!.Elements("data").Select(d => (string)d.Attribute("name")!).ToHashSet();

    [Fact]
    public void EveryUiString_HasARussianTranslation()
    {
        var sources = Directory.EnumerateFiles(Path.Combine(TestEnvironment.RepoRoot, "Portal"), "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".razor") || f.EndsWith(".cs")) && !f.Contains("/obj/") && !f.Contains("/bin/"));
        var used = sources.SelectMany(f => Regex.Matches(File.ReadAllText(f), "\\bL\\[\"((?:[^\"\\\\]|\\\\.)+)\"")
                .Select(m => Regex.Unescape(m.Groups[1].Value)))
            .Concat(Roles.All)
            // Keys built from enum values at run time.
            .Concat(Enum.GetNames<Portal.Domain.Imports.ImportStatus>())
            .Concat(Enum.GetNames<Portal.Domain.Clients.Gender>())
            .Concat(Enum.GetNames<Portal.Domain.Clients.ClientStatus>())
            .Concat(Enum.GetNames<Portal.Domain.Clients.LoyaltyTier>())
            .Concat(Enum.GetNames<Portal.Domain.Clients.ClientEventType>())
            .Concat(Enum.GetNames<Portal.Domain.Clients.ConsentPurpose>())
            .Concat(Enum.GetNames<Portal.Infrastructure.Importing.ImportPhase>())
            .Concat(Enum.GetNames<Portal.Domain.Integrations.SyncSourceKind>())
            .Concat(Enum.GetNames<Portal.Domain.Integrations.SyncTarget>())
            .Concat(Enum.GetNames<Portal.Domain.Integrations.EventField>())
            .Concat(Enum.GetNames<Portal.Domain.Segments.CriterionCategory>())
            .Concat(Portal.Domain.Segments.Criteria.All.Select(c => c.Label))
            .Concat(Enum.GetNames<Portal.Domain.Campaigns.CampaignStatus>())
            .Concat(Enum.GetNames<Portal.Domain.Campaigns.MessagePurpose>())
            .Concat(Enum.GetNames<Portal.Domain.Messages.MessageStatus>())
            .Concat(Enum.GetNames<Portal.Domain.Messages.InboundKind>())
            .Concat(Portal.Components.Pages.Campaigns.CampaignWizard.Steps)
            .Concat(Portal.Components.Pages.Campaigns.CronPreview.Messages)
            .Concat(Portal.Domain.Messages.DeliveryErrors.AllSentences)
            .Concat(Portal.Domain.Templates.MergeFields.Client.Concat(Portal.Domain.Templates.MergeFields.Campaign).Select(f => f.Label))
            .Concat(Enum.GetValues<Portal.Domain.Imports.ClientField>().Select(Portal.Components.Pages.Clients.ClientImport.FieldLabel))
            .Concat(Portal.Components.Pages.Audit.AuditActionNames.Phrases.Values)
            .Concat(Portal.Components.Pages.Audit.AuditActionNames.Objects.Values)
            .ToHashSet();
        Assert.True(used.Count > 50, $"only {used.Count} strings found: is the scan broken?");
        var missing = used.Except(RussianKeys()).Order().ToList();
        Assert.True(missing.Count == 0, "Missing in SharedResource.ru.resx:\n" + string.Join("\n", missing));
    }

    /// <summary>Issue 20, item 11: the audit log shows a phrase for every action code (translated by the test above), never the code.</summary>
    [Fact]
    public void EveryAuditAction_HasAPhrase()
    {
        var codes = typeof(Portal.Domain.Audit.AuditActions).GetFields().Select(f => (string)f.GetValue(null)!)
            .Concat(typeof(Portal.Identity.AccountAuditActions).GetFields().Select(f => (string)f.GetValue(null)!))
            .Concat([Portal.Infrastructure.Campaigns.CampaignCatalog.DraftSavedAction,
                Portal.Infrastructure.Bi.BiExporter.AuditAction, Portal.Infrastructure.Bi.BiExporter.AuditPersonalAction]);
        var missing = codes.Where(c => !Portal.Components.Pages.Audit.AuditActionNames.Phrases.ContainsKey(c)).ToList();
        Assert.True(missing.Count == 0, "No phrase in AuditActionNames for: " + string.Join(", ", missing));
        Assert.Equal("Signed in", Portal.Components.Pages.Audit.AuditActionNames.English("auth.sign-in"));
    }

    [Fact]
    public async Task SignInPage_SpeaksRussian_WhenTheCultureCookieSaysSo()
    {
        await using var app = await new PortalAppFactory(demoClients: 0).StartAsync();
        var client = app.CreateBrowserlikeClient();
        var switched = await client.GetAsync("/culture?culture=ru&redirectUri=%2FAccount%2FLogin");
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        var page = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync("/Account/Login"));
        Assert.Contains("Не выходить из системы", page);
        Assert.Contains("lang=\"ru\"", page);

        var english = await app.CreateBrowserlikeClient().GetStringAsync("/Account/Login");
        Assert.Contains("Keep me signed in", english);
    }

    [Fact]
    public async Task CultureSwitch_RefusesForeignRedirects()
    {
        await using var app = await new PortalAppFactory(demoClients: 0).StartAsync();
        var response = await app.CreateBrowserlikeClient().GetAsync("/culture?culture=ru&redirectUri=https%3A%2F%2Fevil.example");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }
}
