using Mono.Cecil;
using Portal.Tests.Architecture.Support;

namespace Portal.Tests.Architecture;

/// <summary>
/// The folder tree is the architecture: a feature folder may use another, but two folders that use
/// each other are one feature split in two, and every change to either costs a change to both.
/// These tests read the compiled IL (every signature, field, attribute and instruction operand),
/// so a dependency hidden in a lambda or an async method counts like any other.
/// </summary>
public class ArchitectureTests
{
    // Cycles that exist today, to be removed by issue 21's structure work. The list may only shrink:
    // a new cycle fails the test, and so does an entry that no longer exists (delete it then).
    private static readonly string[] KnownInfrastructureCycles = File.ReadAllLines(
            Path.Combine(AppContext.BaseDirectory, "Architecture", "known-cycles.txt"))
        .Select(l => l.Trim())
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .ToArray();

    [Fact]
    public void Domain_ReferencesOnlyItselfTheBclAndItsTwoLibraries()
    {
        // Coverlet: under ./test.sh the assembly is instrumented with coverlet's tracker.
        var allowed = new[] { "System", "Microsoft.CSharp", "Fluid", "Parlot", "PhoneNumbers", "Coverlet.Core.Instrumentation" };
        var foreign = FolderGraph.ReferencedNamespaces(typeof(Portal.Domain.Common.DomainException).Assembly)
            .Where(ns => !ns.StartsWith("Portal.Domain", StringComparison.Ordinal))
            .Where(ns => !allowed.Any(a => ns == a || ns.StartsWith(a + ".", StringComparison.Ordinal) || ns.StartsWith('<')))
            .Order()
            .ToList();

        Assert.True(foreign.Count == 0, "Portal.Domain must stay pure C#; it references: " + string.Join(", ", foreign));
    }

    [Fact]
    public void Domain_DoesNotReferenceTheOtherProjects()
    {
        var portal = FolderGraph.ReferencedNamespaces(typeof(Portal.Domain.Common.DomainException).Assembly)
            .Where(ns => ns.StartsWith("Portal.", StringComparison.Ordinal) && !ns.StartsWith("Portal.Domain", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(portal);
    }

    [Fact]
    public void Infrastructure_HasNoNewFolderCycles()
    {
        var graph = FolderGraph.Build(typeof(Portal.Infrastructure.DependencyInjection).Assembly, "Portal.Infrastructure");
        var cycles = graph.MutualPairs().Select(p => $"{p.A} <-> {p.B}").ToHashSet();

        var added = cycles.Except(KnownInfrastructureCycles).Order().ToList();
        var gone = KnownInfrastructureCycles.Except(cycles).Order().ToList();

        Assert.True(added.Count == 0,
            "New folder cycles in Portal.Infrastructure (move the shared type to the folder that owns it): "
            + string.Join("; ", added.Select(c => c + " via " + graph.Why(c))));
        Assert.True(gone.Count == 0,
            "These cycles are gone: delete them from Architecture/known-cycles.txt so they cannot come back: "
            + string.Join("; ", gone));
    }

    [Fact]
    public void FolderGraph_SeesDependenciesInsideLambdasAndAsyncMethods()
    {
        // The detector itself must be able to fail: this test assembly's fixture folder has a
        // dependency that only appears inside an async lambda.
        var graph = FolderGraph.Build(typeof(ArchitectureTests).Assembly, "Portal.Tests.Architecture");
        Assert.Contains(("Fixtures", "Support"), graph.Edges);
        Assert.Contains("Fixtures <-> Support", graph.MutualPairs().Select(p => $"{p.A} <-> {p.B}"));
    }
}
