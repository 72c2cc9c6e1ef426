using System.Runtime.CompilerServices;
using System.Text;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace Portal.Domain.Templates;

/// <summary>
/// Rewrites every <c>(a..b)</c> so its end is checked against <see cref="TemplateLimits.MaxRange"/>
/// before Fluid builds the range: Fluid materialises ranges, and <c>(1..100000000)</c> alone takes
/// seconds and gigabytes before any step limit is reached.
/// </summary>
internal sealed class RangeGuard(int maxRange) : AstRewriter
{
    protected override Expression VisitRangeExpression(RangeExpression rangeExpression) =>
        new RangeExpression(rangeExpression.From, new CheckedRangeEnd(rangeExpression.From, rangeExpression.To, maxRange));

    private sealed class CheckedRangeEnd(Expression from, Expression to, int maxRange) : Expression
    {
        public override async ValueTask<FluidValue> EvaluateAsync(TemplateContext context)
        {
            var start = (await from.EvaluateAsync(context)).ToNumberValue();
            var end = await to.EvaluateAsync(context);
            if (Math.Abs(end.ToNumberValue() - start) >= maxRange)
            {
                throw new TemplateRenderException($"A range may have at most {maxRange:N0} items.");
            }
            return end;
        }
    }
}

/// <summary>
/// Finds reads of fields the model does not have (<c>client.Phone</c>, <c>client["x"]</c>) and
/// filters that do not exist (a typo would otherwise print the value unfiltered), to refuse them
/// at compile time.
/// </summary>
internal sealed class FieldCheck(FilterCollection filters) : AstVisitor
{
    public string? Unknown { get; private set; }

    public string? UnknownFilter { get; private set; }

    protected override Expression VisitFilterExpression(FilterExpression filterExpression)
    {
        if (UnknownFilter is null && !filters.TryGetValue(filterExpression.Name, out _))
        {
            UnknownFilter = filterExpression.Name;
        }
        return base.VisitFilterExpression(filterExpression);
    }

    protected override Expression VisitMemberExpression(MemberExpression memberExpression)
    {
        var segments = memberExpression.Segments;
        if (Unknown is null && segments.Count > 1 && segments[0] is IdentifierSegment root &&
            root.Identifier is MergeFields.ClientRoot or MergeFields.CampaignRoot)
        {
            if (segments[1] is not IdentifierSegment field)
            {
                Unknown = root.Identifier + "[";
            }
            else if (root.Identifier == MergeFields.ClientRoot ? !MergeFields.IsClientField(field.Identifier) : !MergeFields.IsCampaignField(field.Identifier))
            {
                Unknown = root.Identifier + "." + field.Identifier;
            }
            else if (segments.Count > 2 && segments[2] is IdentifierSegment extra)
            {
                Unknown = root.Identifier + "." + field.Identifier + "." + extra.Identifier;
            }
        }
        return base.VisitMemberExpression(memberExpression);
    }
}

/// <summary>
/// The render target: a reusable buffer that refuses to grow past the output limit, so
/// <c>{% for %}</c> loops printing megabytes stop at the first character over it.
/// </summary>
internal sealed class CappedWriter(int capacity) : TextWriter
{
    private readonly char[] buffer = new char[capacity];
    private int length;

    public override Encoding Encoding => Encoding.Unicode;

    public void Reset() => length = 0;

    public override void Write(char value)
    {
        if (length >= buffer.Length) Overflow();
        buffer[length++] = value;
    }

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> value)
    {
        if (length + value.Length > buffer.Length) Overflow();
        value.CopyTo(buffer.AsSpan(length));
        length += value.Length;
    }

    public override Task WriteAsync(char value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(char[] buffer, int index, int count)
    {
        Write(buffer, index, count);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return Task.CompletedTask;
    }

    public override string ToString() => new(buffer, 0, length);

    private void Overflow() => throw new TemplateRenderException($"The message is longer than {buffer.Length:N0} characters.");
}

/// <summary>Fluid's private counters, reset between renders that reuse one context.</summary>
internal static class ContextCounters
{
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_steps")]
    public static extern ref int Steps(TemplateContext context);
}
