using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Portal.Domain.Campaigns;
using Portal.Domain.Common;
using Portal.Resources;
using Portal.Tests.Support;

namespace Portal.Tests.Web;

/// <summary>
/// A domain error is a sentence a user acts on, so Russian users read it in Russian: every literal
/// text a <see cref="DomainException"/> or <see cref="DomainTerm"/> is built from has a translation
/// with the same placeholders, and the UI's <c>L.Describe</c> fills them.
/// </summary>
public partial class DomainErrorLocalizationTests
{
    private static Dictionary<string, string> Russian() =>
        XDocument.Load(Path.Combine(TestEnvironment.RepoRoot, "Portal/Resources/SharedResource.ru.resx"))
            .Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!);

    private static IEnumerable<string> DomainTexts() =>
        new[] { "Portal.Domain", "Portal.Infrastructure", "Portal" }
            .SelectMany(p => Directory.EnumerateFiles(Path.Combine(TestEnvironment.RepoRoot, p), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"))
            .SelectMany(f => DomainLiteral().Matches(File.ReadAllText(f)).Select(m => Regex.Unescape(m.Groups[1].Value)))
            .Distinct();

    [Fact]
    public void EveryDomainErrorText_HasARussianTranslationWithTheSamePlaceholders()
    {
        var texts = DomainTexts().ToList();
        Assert.True(texts.Count > 80, $"only {texts.Count} domain texts found: is the scan broken?");
        var russian = Russian();

        var missing = texts.Where(t => !russian.ContainsKey(t)).Order().ToList();
        Assert.True(missing.Count == 0, "Domain errors without a Russian text:\n" + string.Join("\n", missing));

        var mismatched = texts.Where(t => Placeholders(t) != Placeholders(russian[t])).ToList();
        Assert.True(mismatched.Count == 0, "Placeholders differ in translation:\n" + string.Join("\n", mismatched));
    }

    [Fact]
    public void NoTwoResourceKeys_DifferOnlyInCase()
    {
        // .resx compilation keeps one of "Pause" and "pause": the other silently stays English.
        var clashes = Russian().Keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => string.Join(" / ", g)).ToList();
        Assert.True(clashes.Count == 0, "Keys that differ only in case: " + string.Join("; ", clashes));
    }

    [Fact]
    public void NoDomainError_IsBuiltByInterpolation()
    {
        // An interpolated text is a different key every time, so it can never be translated.
        var interpolated = new[] { "Portal.Domain", "Portal.Infrastructure" }
            .SelectMany(p => Directory.EnumerateFiles(Path.Combine(TestEnvironment.RepoRoot, p), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"))
            .Where(f => File.ReadAllText(f).Contains("new DomainException($\"", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(interpolated);
    }

    [Fact]
    public void Describe_TranslatesTheTextItsEnumsAndTerms_AndKeepsIds()
    {
        var error = Assert.Throws<DomainException>(() =>
        {
            var campaign = new Campaign("Promo", 1, MessagePurpose.Advertising, "author@portal.local", DateTime.UtcNow);
            campaign.Pause(DateTime.UtcNow);
        });
        Assert.Equal("Only a Sending campaign can be paused; this one is Draft.", error.Message);

        var previous = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = new CultureInfo("ru");
            var text = Localizer().Describe(error);
            Assert.Equal($"Только кампания в состоянии «{Russian()["Sending"]}» может приостанавливаться; эта — в состоянии «{Russian()["Draft"]}».", text);

            var missingSegment = new DomainException("Segment {0} does not exist.", 42);
            Assert.Equal("Сегмента 42 не существует.", Localizer().Describe(missingSegment));
        }
        finally
        {
            CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = previous;
        }
    }

    private static IStringLocalizer<SharedResource> Localizer()
    {
        var factory = new ResourceManagerStringLocalizerFactory(
            Options.Create(new LocalizationOptions { ResourcesPath = "" }), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        return new StringLocalizer<SharedResource>(factory);
    }

    private static string Placeholders(string text) =>
        string.Join(",", PlaceholderPattern().Matches(text).Select(m => m.Value).Order());

    [GeneratedRegex("new (?:DomainException|DomainTerm)\\(\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex DomainLiteral();

    [GeneratedRegex("\\{\\d+\\}")]
    private static partial Regex PlaceholderPattern();
}
