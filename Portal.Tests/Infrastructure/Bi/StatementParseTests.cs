using Microsoft.Extensions.Options;
using Portal.Infrastructure.Bi;

namespace Portal.Tests.Infrastructure.Bi;

/// <summary>
/// Issue 21 (coverage): a provider's statement as finance uploads it, refused with the row and column
/// of every bad value (parsing needs no database: the join runs only on a clean file).
/// </summary>
public class StatementParseTests
{
    private static readonly FinanceReports Finance = new(null!, Options.Create(new BiOptions()));

    private static (IReadOnlyList<StatementLine> Lines, IReadOnlyList<(int, string, string)> Errors) Parse(string csv)
    {
        var (lines, errors) = Finance.Parse(new StringReader(csv));
        return (lines, errors.Select(e => (e.Row, e.Column, e.Text)).ToList());
    }

    [Fact]
    public void AnEmptyFile_IsRefused() =>
        Assert.Equal([(1, "", "The file is empty.")], Parse("").Errors);

    [Fact]
    public void BadAmountsIdsAndCounts_AreNamedByRowAndColumn()
    {
        var byId = Parse($"date,message_id,parts,amount,currency\n2026-11-01,,1,1.50,RUB\n2026-11-01,{new string('x', 65)},1,1.50,RUB\n2026-11-01,a1,1,-1,RUB\n");
        Assert.Empty(byId.Lines);
        Assert.Equal(
            [
                (2, "message_id", "Empty or longer than 64 characters."),
                (3, "message_id", "Empty or longer than 64 characters."),
                (4, "amount", "Not an amount (0.00)."),
            ],
            byId.Errors);

        var byCount = Parse("date,count,parts,amount,currency\n2026-11-01,many,1,1.50,RUB\n2026-11-02,3,1,1.5x,rub\n");
        Assert.Equal([(2, "count", "Not a whole number."), (3, "amount", "Not an amount (0.00).")], byCount.Errors);
    }

    [Fact]
    public void AByteOrderMark_AndALastLineWithoutANewline_AreRead()
    {
        var (lines, errors) = Parse("\uFEFFdate,count,parts,amount,currency\r\n01.11.2026,3,4,\"1.20\",rub\r\n2026-11-02,5,5,2.00,RUB");
        Assert.Empty(errors);
        Assert.Equal(
            [
                new StatementLine(2, new DateOnly(2026, 11, 1), null, 3, 4, 1.20m),
                new StatementLine(3, new DateOnly(2026, 11, 2), null, 5, 5, 2.00m),
            ],
            lines);
    }

    [Fact]
    public void CsvRecords_QuotedCommasAndDoubledQuotes_StayInTheField()
    {
        List<List<string>> expected = [["a,b", "say \"hi\"", ""], ["x"]];
        Assert.Equal(expected, FinanceReports.CsvRecords(new StringReader("\"a,b\",\"say \"\"hi\"\"\",\nx")).ToList());
    }
}
