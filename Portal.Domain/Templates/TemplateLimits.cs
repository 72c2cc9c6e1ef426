namespace Portal.Domain.Templates;

/// <summary>
/// The sandbox's limits. A message template is a few hundred characters with a handful of merge
/// fields and maybe an <c>if</c>; the defaults leave room for that and cut everything else off fast.
/// </summary>
/// <param name="MaxBodyLength">Longest template text accepted by <see cref="TemplateEngine.Compile"/>.</param>
/// <param name="MaxSteps">Statements executed per render (Fluid's step counter); loops count every pass.</param>
/// <param name="MaxRecursion">Nesting depth of blocks during a render.</param>
/// <param name="MaxRange">Longest <c>(a..b)</c> range; Fluid would otherwise materialise it before looping.</param>
/// <param name="MaxOutputLength">Longest rendered text; more is a <see cref="TemplateRenderException"/>, never a truncated SMS.</param>
/// <param name="MaxValueLength">Longest string or array a variable or filter may produce (stops doubling with <c>append</c>).</param>
public sealed record TemplateLimits(
    int MaxBodyLength = 5_000,
    int MaxSteps = 10_000,
    int MaxRecursion = 20,
    int MaxRange = 1_000,
    int MaxOutputLength = 2_000,
    int MaxValueLength = 4_000)
{
    public static TemplateLimits Default { get; } = new();
}
