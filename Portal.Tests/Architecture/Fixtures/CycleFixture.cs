// A deliberate folder cycle for ArchitectureTests.FolderGraph_SeesDependenciesInsideLambdasAndAsyncMethods:
// Fixtures names Support's FolderGraph only inside an async lambda, and Support names Fixtures
// through a field. If the detector missed either, that test fails.
namespace Portal.Tests.Architecture.Fixtures
{
    using Portal.Tests.Architecture.Support;

    internal static class CycleFixture
    {
        public static Func<Task<int>> Hidden => async () =>
        {
            await Task.Yield();
            return FolderGraph.ReferencedNamespaces(typeof(CycleFixture).Assembly).Count;
        };
    }

    internal sealed class FixtureMarker;
}

namespace Portal.Tests.Architecture.Support
{
    internal static class CycleFixtureBackReference
    {
        internal static readonly Type Marker = typeof(Portal.Tests.Architecture.Fixtures.FixtureMarker);
    }
}
