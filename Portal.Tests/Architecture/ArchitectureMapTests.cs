using System.Text.RegularExpressions;
using Portal.Tests.Support;

namespace Portal.Tests.Architecture;

/// <summary>
/// docs/ARCHITECTURE.md opens with a map of the folders; the next engineer reads the tree through
/// it, so a folder it leaves out is a folder nobody finds. Every top-level folder of the three
/// product projects must appear in the map under its project.
/// </summary>
public partial class ArchitectureMapTests
{
    // App_Data is what a local run writes (SQLite file, keys, exports), ignored by git.
    private static readonly HashSet<string> NotCode = ["bin", "obj", "Properties", "wwwroot", "Resources", "App_Data"];

    [Theory]
    [InlineData("Portal")]
    [InlineData("Portal.Infrastructure")]
    [InlineData("Portal.Domain")]
    public void Map_ListsEveryFolderOfTheProject(string project)
    {
        var section = MapSection(project);
        var folders = Directory.GetDirectories(Path.Combine(TestEnvironment.RepoRoot, project))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(f => !NotCode.Contains(f) && !f.StartsWith('.'))
            .Order(StringComparer.Ordinal);

        var missing = folders.Where(f => !Regex.IsMatch(section, $@"(^|[\s,]){Regex.Escape(f)}(/|[\s,:]|$)", RegexOptions.Multiline)).ToList();

        Assert.True(missing.Count == 0, $"docs/ARCHITECTURE.md's map does not mention these {project} folders: {string.Join(", ", missing)}");
    }

    /// <summary>The lines of the map's code block from "Project/" up to the next project's line.</summary>
    private static string MapSection(string project)
    {
        var doc = File.ReadAllText(Path.Combine(TestEnvironment.RepoRoot, "docs", "ARCHITECTURE.md"));
        var map = FirstCodeBlock().Match(doc).Groups[1].Value;
        var lines = map.Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith(project + "/", StringComparison.Ordinal));
        Assert.True(start >= 0, $"the map has no line for {project}/");
        var end = Array.FindIndex(lines, start + 1, l => l.Length > 0 && !char.IsWhiteSpace(l[0]));
        return string.Join('\n', lines[start..(end < 0 ? lines.Length : end)]);
    }

    [GeneratedRegex("```\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex FirstCodeBlock();
}
