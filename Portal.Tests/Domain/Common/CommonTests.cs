using Portal.Domain.Common;

namespace Portal.Tests.Domain.Common;

/// <summary>Issue 21 (mutation testing): domain errors' texts and the plain-text rule at its edges.</summary>
public class CommonTests
{
    [Fact]
    public void DomainException_FormatsItsArguments_Invariantly()
    {
        var plain = new DomainException("Segment {0} does not exist.");
        Assert.Equal(("Segment {0} does not exist.", "Segment {0} does not exist."), (plain.Message, plain.Text));
        Assert.Empty(plain.Args);
        Assert.Equal("Segment {0} does not exist.", plain.WithoutValues);

        var e = new DomainException("{0} costs {1}; {2} of {3} in {4}, {5}.", new DomainTerm("schedule"), 1.5m, 3, 4L, "Europe/Moscow", 2.5);
        Assert.Equal("schedule costs 1.5; 3 of 4 in Europe/Moscow, 2.5.", e.Message);
        Assert.Equal("{0} costs {1}; {2} of {3} in {4}, {5}.", e.Text);
        Assert.Equal(6, e.Args.Count);
        Assert.Equal("schedule costs 1.5; 3 of 4 in …, ….", e.WithoutValues);
        Assert.Equal("schedule", new DomainTerm("schedule").ToString());
    }

    [Fact]
    public void PlainText_CountsCodePoints_UpToTheLimit()
    {
        Assert.Null(PlainText.Problem("", 0));
        Assert.Null(PlainText.Problem(string.Concat(Enumerable.Repeat("😀", 5)), 5));
        Assert.Equal("Longer than 5 characters.", PlainText.Problem(string.Concat(Enumerable.Repeat("😀", 6)), 5));
        Assert.Equal("Longer than 0 characters.", PlainText.Problem("a", 0));
    }

    [Theory]
    [InlineData("a\u0000", "Contains a control character (U+0000).")]
    [InlineData("a\tb", "Contains a control character (U+0009).")]
    [InlineData("\u007F", "Contains a control character (U+007F).")]
    [InlineData("x\u200E", "Contains a text-direction control character (U+200E).")]
    [InlineData("\u200F", "Contains a text-direction control character (U+200F).")]
    [InlineData("\u061C", "Contains a text-direction control character (U+061C).")]
    [InlineData("\u202A", "Contains a text-direction control character (U+202A).")]
    [InlineData("\u202E", "Contains a text-direction control character (U+202E).")]
    [InlineData("\u2066", "Contains a text-direction control character (U+2066).")]
    [InlineData("\u2069", "Contains a text-direction control character (U+2069).")]
    public void PlainText_RefusesControlAndDirectionCharacters(string text, string problem) => Assert.Equal(problem, PlainText.Problem(text, 10));

    [Theory]
    [InlineData("\u2029")]
    [InlineData("\u202F")]
    [InlineData("\u2065")]
    [InlineData("\u206A")]
    [InlineData("\u200D")]
    [InlineData("\u2010")]
    [InlineData("Иван-Петров")]
    public void PlainText_AcceptsTheNeighbours(string text) => Assert.Null(PlainText.Problem(text, 20));
}
