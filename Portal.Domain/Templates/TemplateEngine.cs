using System.Globalization;
using System.Text.RegularExpressions;
using Fluid;
using Portal.Domain.Clients;

namespace Portal.Domain.Templates;

/// <summary>Sandbox limits for rendering.</summary>
public sealed record TemplateLimits(int MaxSteps = 10_000, int MaxRecursion = 10, int MaxOutputLength = 2_000);

/// <summary>
/// Minimal stand-in for the templates engineer's engine (same public API, replaced at merge):
/// Fluid with a flat model of client fields, custom attributes and campaign fields.
/// </summary>
public sealed partial class TemplateEngine
{
    private static readonly FluidParser Parser = new();
    private readonly TemplateLimits _limits;
    private readonly TemplateOptions _options;

    public TemplateEngine(TemplateLimits? limits = null)
    {
        _limits = limits ?? new TemplateLimits();
        _options = new TemplateOptions { MaxSteps = _limits.MaxSteps, MaxRecursion = _limits.MaxRecursion };
    }

    /// <summary>Parses once; throws <see cref="TemplateSyntaxException"/> with the position of the error.</summary>
    public CompiledTemplate Compile(string body)
    {
        if (!Parser.TryParse(body ?? "", out var template, out var error))
        {
            var at = Position().Match(error ?? "");
            var line = at.Success ? int.Parse(at.Groups[1].Value, CultureInfo.InvariantCulture) : 1;
            var column = at.Success ? int.Parse(at.Groups[2].Value, CultureInfo.InvariantCulture) : 1;
            throw new TemplateSyntaxException(error ?? "Syntax error", line, column);
        }
        return new CompiledTemplate(template, _options, _limits);
    }

    [GeneratedRegex(@"\((\d+):(\d+)\)")]
    private static partial Regex Position();
}

/// <summary>A parsed template; rendering is thread-safe.</summary>
public sealed class CompiledTemplate
{
    private readonly IFluidTemplate _template;
    private readonly TemplateOptions _options;
    private readonly TemplateLimits _limits;

    internal CompiledTemplate(IFluidTemplate template, TemplateOptions options, TemplateLimits limits)
    {
        _template = template;
        _options = options;
        _limits = limits;
    }

    public RenderedSms Render(Client client, IReadOnlyDictionary<string, string>? attributes, CampaignMergeFields campaign)
    {
        var context = new TemplateContext(_options);
        context.SetValue("client", new Dictionary<string, object?>
        {
            ["first_name"] = client.FirstName ?? "",
            ["middle_name"] = client.MiddleName ?? "",
            ["last_name"] = client.LastName ?? "",
            ["city"] = client.City ?? "",
            ["balance"] = client.Balance,
            ["tariff"] = client.Tariff ?? "",
            ["loyalty_tier"] = client.LoyaltyTier.ToString(),
        });
        var attrs = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (attributes is not null)
        {
            foreach (var (key, value) in attributes) attrs[key] = value;
        }
        context.SetValue("attributes", attrs);
        context.SetValue("campaign", new Dictionary<string, object?>
        {
            ["name"] = campaign.Name,
            ["sender_id"] = campaign.SenderId ?? "",
            ["send_date"] = campaign.SendDateUtc,
        });
        string text;
        try
        {
            text = _template.Render(context);
        }
        catch (InvalidOperationException e)
        {
            throw new TemplateRenderException(e.Message);
        }
        if (text.Length > _limits.MaxOutputLength) throw new TemplateRenderException("The message is longer than the output limit.");
        return SmsMeasure.Measure(text);
    }
}

/// <summary>GSM-7 or UCS-2 and the number of parts (3GPP TS 23.038 basic set and extension table).</summary>
internal static class SmsMeasure
{
    private const string Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    private const string Extension = "^{}\\[~]|€\f";

    public static RenderedSms Measure(string text)
    {
        var septets = 0;
        foreach (var c in text)
        {
            if (Basic.Contains(c)) septets++;
            else if (Extension.Contains(c)) septets += 2;
            else return new RenderedSms(text, SmsAlphabet.Ucs2, text.Length <= 70 ? 1 : (text.Length + 66) / 67);
        }
        return new RenderedSms(text, SmsAlphabet.Gsm7, septets <= 160 ? 1 : (septets + 152) / 153);
    }
}
