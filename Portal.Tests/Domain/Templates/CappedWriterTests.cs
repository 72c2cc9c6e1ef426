using System.Text;
using Portal.Domain.Templates;

namespace Portal.Tests.Domain.Templates;

/// <summary>
/// Issue 21 (coverage): the sandbox's output buffer through every overload a TextWriter user may
/// call (Fluid itself calls only the string and span ones): each appends, and the first character
/// past the capacity stops the render with the limit in words.
/// </summary>
public class CappedWriterTests
{
    private const string Full = "The message is longer than 4 characters.";

    [Fact]
    public async Task EveryOverload_Appends_UpToTheCapacity()
    {
        var writer = new CappedWriter(8);
        writer.Write('a');
        writer.Write("b");
        writer.Write(['x', 'c', 'y'], 1, 1);
        writer.Write("d".AsSpan());
        await writer.WriteAsync('e');
        await writer.WriteAsync("f");
        await writer.WriteAsync(['g', 'z'], 0, 1);
        await writer.WriteAsync("h".AsMemory());
        Assert.Equal("abcdefgh", writer.ToString());
        Assert.Equal(Encoding.Unicode, writer.Encoding);

        writer.Reset();
        writer.Write((string?)null);
        Assert.Equal("", writer.ToString());
    }

    [Fact]
    public void WriteChar_PastTheCapacity_Throws_KeepingWhatFit()
    {
        var writer = new CappedWriter(4);
        writer.Write("abcd");
        Assert.Equal(Full, Assert.Throws<TemplateRenderException>(() => writer.Write('e')).Message);
        Assert.Equal("abcd", writer.ToString());
    }

    [Fact]
    public async Task WriteAsync_PastTheCapacity_Throws()
    {
        var writer = new CappedWriter(4);
        await writer.WriteAsync("abc");
        Assert.Equal(Full, (await Assert.ThrowsAsync<TemplateRenderException>(() => writer.WriteAsync("de".AsMemory()))).Message);
        Assert.Equal(Full, (await Assert.ThrowsAsync<TemplateRenderException>(() => writer.WriteAsync(['d', 'e'], 0, 2))).Message);
        await writer.WriteAsync('d');
        Assert.Equal(Full, (await Assert.ThrowsAsync<TemplateRenderException>(() => writer.WriteAsync('e'))).Message);
        Assert.Equal("abcd", writer.ToString());
    }
}
