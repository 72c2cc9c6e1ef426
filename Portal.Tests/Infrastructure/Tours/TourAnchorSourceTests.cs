using System.Text.RegularExpressions;
using Portal.Domain.Tours;
using Portal.Infrastructure.Tours;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Tours;

/// <summary>
/// Issue 18, the cheap half of "tours cannot rot": every built-in step's anchor (and "appear"
/// target) is a <c>data-tour</c> value in the .razor sources, and every step's page is a routed
/// page. The browser half is <c>EndToEnd/TourPlaybackTests</c>.
/// </summary>
public partial class TourAnchorSourceTests
{
    private static readonly string Components = Path.Combine(TestEnvironment.RepoRoot, "Portal", "Components");

    [GeneratedRegex("data-tour=\"([^\"]*(?:\"[^\"]*\"[^\"]*)*?)\"(?=[\\s/>])")]
    private static partial Regex DataTourAttribute();

    [GeneratedRegex("\"([A-Za-z0-9_-]+)\"")]
    private static partial Regex QuotedLiteral();

    [GeneratedRegex("@page \"/?([^\"]*)\"")]
    private static partial Regex PageDirective();

    private static (HashSet<string> Anchors, List<string> Pages) Scan()
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var pages = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Components, "*.razor", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            foreach (Match m in DataTourAttribute().Matches(text))
            {
                var value = m.Groups[1].Value;
                if (value.StartsWith('@'))
                {
                    // data-tour="@(Depth == 0 ? "rule-root" : …)": every literal it can take.
                    foreach (Match literal in QuotedLiteral().Matches(value))
                    {
                        anchors.Add(literal.Groups[1].Value);
                    }
                }
                else
                {
                    anchors.Add(value);
                }
            }
            pages.AddRange(PageDirective().Matches(text).Select(m => m.Groups[1].Value));
        }
        return (anchors, pages);
    }

    public static TheoryData<string> TourKeys => [.. BuiltInTours.All.Select(t => t.Key)];

    [Theory]
    [MemberData(nameof(TourKeys))]
    public void EveryStep_AnchorIsADataTourAttribute_OnARoutedPage(string key)
    {
        var (anchors, pages) = Scan();
        var tour = BuiltInTours.All.Single(t => t.Key == key);
        Assert.NotEmpty(tour.Steps);
        foreach (var (step, i) in tour.Steps.Select((s, i) => (s, i)))
        {
            Assert.True(anchors.Contains(step.Anchor), $"{key} step {i + 1}: no data-tour=\"{step.Anchor}\" in Portal/Components");
            if (step.Wait == TourWait.Appear)
            {
                Assert.True(anchors.Contains(step.WaitTarget!), $"{key} step {i + 1}: waits for data-tour=\"{step.WaitTarget}\", which no page has");
            }
            var route = step.Route.Trim('/');
            var routed = route.EndsWith('*')
                ? pages.Any(p => p.StartsWith(route.TrimEnd('*'), StringComparison.OrdinalIgnoreCase))
                : pages.Any(p => string.Equals(p.Trim('/'), route, StringComparison.OrdinalIgnoreCase));
            Assert.True(routed, $"{key} step {i + 1}: no page is routed at /{route}");
            Assert.Empty(step.Problems());
        }
    }

    [Fact]
    public void TheScan_SeesARenamedAnchor()
    {
        // The test above must be able to fail: an anchor nobody wrote is not found.
        var (anchors, _) = Scan();
        Assert.Contains("add-condition", anchors);
        Assert.Contains("nested-group", anchors);
        Assert.DoesNotContain("add-condition-renamed", anchors);
    }

    [Fact]
    public void BuiltInTours_HaveUniqueKeys_AndTextInBothLanguages()
    {
        Assert.Equal(BuiltInTours.All.Count, BuiltInTours.All.Select(t => t.Key).Distinct().Count());
        Assert.All(BuiltInTours.All.SelectMany(t => t.Steps), s =>
        {
            Assert.False(string.IsNullOrWhiteSpace(s.TitleRu));
            Assert.Matches("[А-Яа-яЁё]", s.TextRu);
        });
    }
}
