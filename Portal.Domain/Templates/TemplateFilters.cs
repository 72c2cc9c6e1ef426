using System.Globalization;
using Fluid;
using Fluid.Values;

namespace Portal.Domain.Templates;

/// <summary>
/// Portal's own filters. The culture is the client's language (Russian unless it is English):
/// <c>money</c> gives "1 234,50 ₽" or "1,234.50 RUB" (the English form stays in GSM-7);
/// <c>long_date</c> "25 ноября 2026" / "25 November 2026"; <c>short_date</c> "25.11.2026" / "25 Nov 2026".
/// Fluid's <c>default</c> and <c>date</c> (strftime) stay available.
/// </summary>
internal static class TemplateFilters
{
    internal static readonly CultureInfo Russian = CultureInfo.GetCultureInfo("ru-RU");
    internal static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");

    // A plain space, not ICU's no-break space: it is in GSM-7 and every phone shows it.
    private static readonly NumberFormatInfo RussianMoney = new() { NumberGroupSeparator = " ", NumberDecimalSeparator = ",", NegativeSign = "-" };
    private static readonly NumberFormatInfo EnglishMoney = new() { NumberGroupSeparator = ",", NumberDecimalSeparator = ".", NegativeSign = "-" };

    private static readonly string[] RussianMonthsGenitive =
        ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"];
    private static readonly string[] EnglishMonths =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    public static void Register(FilterCollection filters)
    {
        filters.AddFilter("money", Money);
        filters.AddFilter("long_date", LongDate);
        filters.AddFilter("short_date", ShortDate);
    }

    private static bool IsEnglish(TemplateContext context) => context.CultureInfo.TwoLetterISOLanguageName == "en";

    private static ValueTask<FluidValue> Money(FluidValue input, FilterArguments arguments, TemplateContext context)
    {
        if (input.IsNil()) return NilValue.Instance;
        var amount = input.ToNumberValue();
        var english = IsEnglish(context);
        var symbol = arguments.Count > 0 ? arguments.At(0).ToStringValue() : english ? "RUB" : "₽";
        var number = amount.ToString("#,0.00", english ? EnglishMoney : RussianMoney);
        return new StringValue(number + " " + symbol);
    }

    private static ValueTask<FluidValue> LongDate(FluidValue input, FilterArguments arguments, TemplateContext context)
    {
        if (!TryGetDate(input, out var date)) return NilValue.Instance;
        var months = IsEnglish(context) ? EnglishMonths : RussianMonthsGenitive;
        return new StringValue(string.Create(CultureInfo.InvariantCulture, $"{date.Day} {months[date.Month - 1]} {date.Year}"));
    }

    private static ValueTask<FluidValue> ShortDate(FluidValue input, FilterArguments arguments, TemplateContext context)
    {
        if (!TryGetDate(input, out var date)) return NilValue.Instance;
        return new StringValue(IsEnglish(context)
            ? string.Create(CultureInfo.InvariantCulture, $"{date.Day} {EnglishMonths[date.Month - 1][..3]} {date.Year}")
            : date.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture));
    }

    private static bool TryGetDate(FluidValue input, out DateTimeOffset date)
    {
        switch (input.ToObjectValue())
        {
            case DateTimeOffset offset:
                date = offset;
                return true;
            case DateTime dateTime:
                date = new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Unspecified), TimeSpan.Zero);
                return true;
            case string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed):
                date = parsed;
                return true;
            default:
                date = default;
                return false;
        }
    }
}
