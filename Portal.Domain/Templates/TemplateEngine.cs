using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Fluid;
using Fluid.Values;
using Portal.Domain.Clients;
using Portal.Domain.Messages;

namespace Portal.Domain.Templates;

/// <summary>
/// Liquid (Fluid) for SMS, sandboxed: templates see only <see cref="MergeFields"/>, and the limits in
/// <see cref="TemplateLimits"/> stop loops, ranges, recursion, value and output growth. One instance
/// is shared (a DI singleton); compiled templates are immutable and render on any thread.
/// </summary>
public sealed partial class TemplateEngine
{
    // Parlot parsers are immutable once built; one for the process.
    private static readonly FluidParser Parser = CreateParser();

    private readonly TemplateOptions options;

    public TemplateEngine(TemplateLimits? limits = null)
    {
        Limits = limits ?? TemplateLimits.Default;
        options = CreateOptions(Limits);
    }

    public TemplateLimits Limits { get; }

    internal TemplateOptions Options => options;

    /// <summary>Parses and checks a template; throws <see cref="TemplateSyntaxException"/> with the 1-based line and column.</summary>
    public CompiledTemplate Compile(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.Length > Limits.MaxBodyLength)
        {
            var (line, column) = Position(body, Limits.MaxBodyLength);
            throw new TemplateSyntaxException($"A template is at most {Limits.MaxBodyLength:N0} characters.", line, column);
        }
        if (!Parser.TryParse(body, out var parsed, out var error))
        {
            throw ToSyntaxException(error);
        }
        var fields = new FieldCheck(options.Filters);
        fields.VisitTemplate(parsed);
        if (fields.UnknownFilter is { } filter)
        {
            var at = body.IndexOf(filter, StringComparison.Ordinal);
            var (line, column) = Position(body, Math.Max(at, 0));
            throw new TemplateSyntaxException($"There is no filter '{filter}'.", line, column);
        }
        if (fields.Unknown is { } unknown)
        {
            var at = body.IndexOf(unknown, StringComparison.Ordinal);
            var (line, column) = Position(body, Math.Max(at, 0));
            throw new TemplateSyntaxException($"'{unknown.TrimEnd('[')}' is not a merge field; use the fields in the picker.", line, column);
        }
        return new CompiledTemplate(this, new RangeGuard(Limits.MaxRange).VisitTemplate(parsed));
    }

    private static FluidParser CreateParser()
    {
        var parser = new FluidParser(new FluidParserOptions { AllowFunctions = false });
        // No files to include: an SMS template is one text. Refused at compile time, not at send time.
        parser.RegisteredTags.Remove("include");
        parser.RegisteredTags.Remove("render");
        return parser;
    }

    private static TemplateOptions CreateOptions(TemplateLimits limits)
    {
        var options = new TemplateOptions
        {
            MaxSteps = limits.MaxSteps,
            MaxRecursion = limits.MaxRecursion,
            CultureInfo = TemplateFilters.Russian,
            TimeZone = TimeZoneInfo.Utc,
        };
        TemplateFilters.Register(options.Filters);
        // Every filter's result and every assignment is size-checked, so doubling a string with
        // append/replace or an array with concat ends at MaxValueLength instead of exhausting memory.
        foreach (var (name, filter) in options.Filters.ToList())
        {
            options.Filters.AddFilter(name, (input, arguments, context) =>
            {
                var result = filter(input, arguments, context);
                return result.IsCompletedSuccessfully ? new ValueTask<FluidValue>(CheckSize(result.Result, limits)) : AwaitChecked(result, limits);
            });
        }
        options.Assigned = (_, value, _) => new ValueTask<FluidValue>(CheckSize(value, limits));
        options.Captured = (_, value, _) => new ValueTask<FluidValue>(CheckSize(value, limits));
        return options;
    }

    private static async ValueTask<FluidValue> AwaitChecked(ValueTask<FluidValue> pending, TemplateLimits limits) => CheckSize(await pending, limits);

    private static FluidValue CheckSize(FluidValue value, TemplateLimits limits) => value switch
    {
        StringValue s when s.ToStringValue().Length > limits.MaxValueLength => throw TooLong(limits),
        ArrayValue a when a.Values.Count > limits.MaxValueLength => throw TooLong(limits),
        _ => value,
    };

    private static TemplateRenderException TooLong(TemplateLimits limits) =>
        new($"A value in the template grew past {limits.MaxValueLength:N0} characters or items.");

    private static TemplateSyntaxException ToSyntaxException(string? error)
    {
        // Fluid/Parlot: "<reason> at (line:column)\nSource:\n<line text>".
        var match = ParseError().Match(error ?? "");
        return match.Success
            ? new TemplateSyntaxException(match.Groups["reason"].Value.Trim(), int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["column"].Value, CultureInfo.InvariantCulture))
            : new TemplateSyntaxException(string.IsNullOrWhiteSpace(error) ? "The template does not parse." : error.Trim(), 1, 1);
    }

    private static (int Line, int Column) Position(string body, int index)
    {
        int line = 1, column = 1;
        for (var i = 0; i < index && i < body.Length; i++)
        {
            if (body[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }
        return (line, column);
    }

    [GeneratedRegex(@"^(?<reason>.*?) at \((?<line>\d+):(?<column>\d+)\)", RegexOptions.Singleline)]
    private static partial Regex ParseError();
}

/// <summary>A parsed, checked template. <see cref="Render"/> is thread-safe and reuses per-thread state.</summary>
public sealed class CompiledTemplate
{
    private readonly TemplateEngine engine;
    private readonly IFluidTemplate template;

    internal CompiledTemplate(TemplateEngine engine, IFluidTemplate template)
    {
        this.engine = engine;
        this.template = template;
    }

    /// <summary>Renders for one client; throws <see cref="TemplateRenderException"/> when a sandbox limit is hit.</summary>
    public RenderedSms Render(Client client, IReadOnlyDictionary<string, string>? attributes, CampaignMergeFields campaign)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(campaign);
        var text = RenderState.For(engine).Render(template, client, attributes, campaign);
        var measure = SmsLength.Measure(text);
        return new RenderedSms(text, measure.Alphabet, measure.Parts) { Length = measure.Length };
    }

    /// <summary>
    /// One context, writer and model per thread and engine: a render then allocates only the merge
    /// values and the resulting string. Assignments go to a child scope that is dropped after each
    /// render, so nothing one client's render sets is visible to the next.
    /// </summary>
    private sealed class RenderState
    {
        [ThreadStatic]
        private static RenderState? current;

        private readonly TemplateEngine engine;
        private readonly TemplateContext context;
        private readonly CappedWriter writer;
        private readonly ClientScope client = new();
        private readonly AttributesScope attributes = new();
        private readonly CampaignScope campaign;

        private RenderState(TemplateEngine engine)
        {
            this.engine = engine;
            campaign = new CampaignScope(client);
            writer = new CappedWriter(engine.Limits.MaxOutputLength);
            context = new TemplateContext(engine.Options);
            context.SetValue(MergeFields.ClientRoot, client);
            context.SetValue(MergeFields.AttributesRoot, attributes);
            context.SetValue(MergeFields.CampaignRoot, campaign);
        }

        public static RenderState For(TemplateEngine engine)
        {
            var state = current;
            if (state is null || !ReferenceEquals(state.engine, engine))
            {
                current = state = new RenderState(engine);
            }
            return state;
        }

        public string Render(IFluidTemplate template, Client value, IReadOnlyDictionary<string, string>? attributeValues, CampaignMergeFields campaignFields)
        {
            var english = value.Language.StartsWith("en", StringComparison.OrdinalIgnoreCase);
            client.Set(value, english);
            attributes.Set(attributeValues);
            campaign.Set(campaignFields);
            context.CultureInfo = english ? TemplateFilters.English : TemplateFilters.Russian;
            ContextCounters.Steps(context) = 0;
            writer.Reset();
            context.EnterChildScope();
            try
            {
                var pending = template.RenderAsync(writer, NullEncoder.Default, context);
                if (!pending.IsCompletedSuccessfully) pending.AsTask().GetAwaiter().GetResult();
                context.ReleaseScope();
                if (context.AmbientValues.Count > 0) context.AmbientValues.Clear();
                return writer.ToString();
            }
            catch (Exception e)
            {
                // A failed render may leave scopes and counters half-way: this thread starts afresh.
                current = null;
                if (e is TemplateRenderException) throw;
                throw new TemplateRenderException(e is InvalidOperationException && e.Message.Contains("maximum", StringComparison.OrdinalIgnoreCase)
                    ? $"The template ran more than {engine.Limits.MaxSteps:N0} steps or nested deeper than {engine.Limits.MaxRecursion}."
                    : $"The template failed: {e.Message}");
            }
        }
    }
}
