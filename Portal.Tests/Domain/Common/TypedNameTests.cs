using Portal.Domain.Common;
using Portal.Domain.Segments;

namespace Portal.Tests.Domain.Common;

public class TypedNameTests
{
    [Theory]
    [InlineData("Promo", 5, "Promo")]
    [InlineData("  Promo  ", 5, "Promo")]
    [InlineData("Promos", 5, null)]
    [InlineData("   ", 5, null)]
    [InlineData("", 5, null)]
    [InlineData(null, 5, null)]
    public void Within_TrimsAndMeasuresTheTrimmedName(string? typed, int max, string? expected) =>
        Assert.Equal(expected, TypedName.Within(typed, max));

    [Fact]
    public void AnEntity_KeepsItsOwnErrorKey_AndStoresTheTrimmedName()
    {
        var segment = new Segment("  Moscow  ", null, "{}", "author", DateTime.UtcNow);
        Assert.Equal("Moscow", segment.Name);
        var error = Assert.Throws<DomainException>(() => segment.Rename(new string('x', 201)));
        Assert.Equal("A segment name is 1 to 200 characters.", error.Text);
        segment.Rename(" " + new string('x', 200) + " ");
        Assert.Equal(200, segment.Name.Length);
    }
}
