using System.Reflection;
using Microsoft.AspNetCore.Components;
using Portal.Components;
using Portal.Tests.Support;

namespace Portal.Tests.Architecture;

/// <summary>
/// Issue 21, "cancellation from the circuit": components read on <c>Closing</c>, the token their base
/// cancels on dispose, and say so when a write must complete anyway (<c>CompleteEvenIfClosed</c>).
/// </summary>
public class ComponentCancellationTests
{
    [Fact]
    public void Components_NeverPassCancellationTokenNone()
    {
        var folder = Path.Combine(TestEnvironment.RepoRoot, "Portal", "Components");
        var offenders = Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
            .Where(f => Path.GetFileName(f) != "PortalComponentBase.cs")
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, line, i)))
            .Where(x => x.line.Contains("CancellationToken.None", StringComparison.Ordinal))
            .Select(x => $"{Path.GetRelativePath(folder, x.f)}:{x.i + 1}")
            .ToList();

        Assert.True(offenders.Count == 0,
            "Pass Closing to a read and CompleteEvenIfClosed to a write the user asked for: " + string.Join(", ", offenders));
    }

    [Fact]
    public void Components_DoNotKeepAClosingTokenSourceOfTheirOwn()
    {
        // Layouts derive from LayoutComponentBase and keep theirs; every other component has the base's.
        var own = typeof(PortalComponentBase).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t) && t != typeof(PortalComponentBase) && !typeof(LayoutComponentBase).IsAssignableFrom(t))
            .Where(t => t.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Any(f => f.FieldType == typeof(CancellationTokenSource) && f.Name is "_closing" or "_disposed"))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(own.Count == 0, "Derive from PortalComponentBase and use Closing: " + string.Join(", ", own));
    }
}
