using System.Globalization;
using System.Text;
using Microsoft.Extensions.Localization;
using Portal.Domain.Analytics;
using Portal.Domain.Clients;
using Portal.Infrastructure.Analytics;
using Portal.Resources;

namespace Portal.Components.Pages.Analytics;

/// <summary>
/// The results table as text, cell by cell: the page renders these strings and the CSV download
/// writes the same strings, so the file is exactly what is shown.
/// </summary>
public static class ResultsTable
{
    public static string[] Header(IStringLocalizer<SharedResource> L) =>
    [
        L["Group"], L["Recipients"], L["Delivery rate"], L["Reply rate"], L["Opt-out rate"],
        L["Conversion rate"], L["Control conversion rate"], L["Uplift, pp"], L["95 % interval, pp"], L["Verdict"],
    ];

    public static string[] Cells(ResultRow row, IStringLocalizer<SharedResource> L, IReadOnlyDictionary<string, string>? providers = null)
    {
        var u = row.Uplift;
        return
        [
            ValueLabel(row.Dimension, row.Value, L, providers) + (u.IsSmall && u.Control.Clients > 0 ? " *" : ""),
            row.Sent.Recipients.ToString("N0", CultureInfo.CurrentCulture),
            Percent(row.DeliveryRate),
            Percent(row.ReplyRate),
            Percent(row.OptOutRate),
            Percent(u.SentRate),
            u.Control.Clients == 0 ? "—" : Percent(u.ControlRate),
            u.AbsoluteUplift is double d ? Points(d) : "—",
            u.AbsoluteInterval is { } i ? $"{Points(i.Low)} … {Points(i.High)}" : "—",
            Verdict(u.Verdict, L),
        ];
    }

    public static string Percent(double rate) => (rate * 100).ToString("0.00", CultureInfo.CurrentCulture) + " %";
    public static string Points(double diff) => (diff * 100).ToString("+0.00;-0.00;0.00", CultureInfo.CurrentCulture);
    public static string Money(double value) => value.ToString("N0", CultureInfo.CurrentCulture);

    public static string Verdict(UpliftVerdict verdict, IStringLocalizer<SharedResource> L) => verdict switch
    {
        UpliftVerdict.NoControlGroup => L["No control group"],
        UpliftVerdict.NoSentGroup => L["Nothing sent"],
        UpliftVerdict.NotSignificant => L["Not significant"],
        UpliftVerdict.SignificantIncrease => L["Significant increase"],
        UpliftVerdict.SignificantDecrease => L["Significant decrease"],
        _ => verdict.ToString(),
    };

    public static string DimensionLabel(string dimension, IStringLocalizer<SharedResource> L) => dimension switch
    {
        ResultDimensions.Region => L["Region"],
        ResultDimensions.TimeZone => L["Time zone"],
        ResultDimensions.Loyalty => L["Loyalty tier"],
        ResultDimensions.AgeBand => L["Age band"],
        ResultDimensions.Gender => L["Gender"],
        ResultDimensions.Operator => L["Operator"],
        ResultDimensions.Provider => L["Provider"],
        ResultDimensions.Parts => L["Number of parts"],
        ResultDimensions.LocalHour => L["Local send hour"],
        ResultDimensions.Audience => L["Saved audience"],
        _ => dimension,
    };

    public static string ValueLabel(string dimension, string value, IStringLocalizer<SharedResource> L, IReadOnlyDictionary<string, string>? providers = null)
    {
        if (dimension == ResultDimensions.Total) return L["All recipients"];
        if (value.Length == 0) return L["Not known"];
        var english = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName != "ru";
        return dimension switch
        {
            ResultDimensions.Region => RussianRegions.Find(value) is { } r ? (english ? r.NameEn : r.NameRu) : value,
            ResultDimensions.Loyalty => int.TryParse(value, out var t) ? L[((LoyaltyTier)t).ToString()] : value,
            ResultDimensions.Gender => int.TryParse(value, out var g) ? L[((Gender)g).ToString()] : value,
            ResultDimensions.Provider => providers?.GetValueOrDefault(value) ?? "#" + value,
            ResultDimensions.LocalHour => value + ":00",
            ResultDimensions.Audience => value == AudienceResults.In ? L["Inside the audience"] : L["Outside the audience"],
            _ => value,
        };
    }

    /// <summary>The CSV of a table: a header and the rows' cells, each defused against formulas (<see cref="Hosting.CsvCell"/>).</summary>
    public static string Csv(IEnumerable<string[]> rows)
    {
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            sb.AppendJoin(',', row.Select(Hosting.CsvCell.Escape)).Append("\r\n");
        }
        return sb.ToString();
    }
}
