using Portal.Domain.Common;
using Portal.Domain.Providers;

namespace Portal.Tests.Domain.Providers;

/// <summary>Issue 21 (mutation testing): the SMPP status table entry by entry, price-list entries' checks, price books' edges, providers' names.</summary>
public class ProvidersEdgeTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(0x08u, SendFailureKind.Temporary, "ESME_RSYSERR: system error at the provider")]
    [InlineData(0x0Du, SendFailureKind.Temporary, "ESME_RBINDFAIL: not bound, the connection is down")]
    [InlineData(0x0Eu, SendFailureKind.Temporary, "ESME_RINVPASWD: provider refuses our credentials")]
    [InlineData(0x0Fu, SendFailureKind.Temporary, "ESME_RINVSYSID: provider refuses our system_id")]
    [InlineData(0x14u, SendFailureKind.Temporary, "ESME_RMSGQFUL: provider queue full")]
    [InlineData(0x45u, SendFailureKind.Temporary, "ESME_RSUBMITFAIL: submit failed at the provider")]
    [InlineData(0x58u, SendFailureKind.Temporary, "ESME_RTHROTTLED: over the provider's speed")]
    [InlineData(0x64u, SendFailureKind.Temporary, "ESME_RX_T_APPN: temporary application error")]
    [InlineData(0xFEu, SendFailureKind.Temporary, "ESME_RDELIVERYFAILURE: delivery failure (transaction mode)")]
    [InlineData(0xFFu, SendFailureKind.Temporary, "ESME_RUNKNOWNERR: unknown error")]
    [InlineData(0x01u, SendFailureKind.Permanent, "ESME_RINVMSGLEN: message length invalid")]
    [InlineData(0x0Au, SendFailureKind.Permanent, "ESME_RINVSRCADR: sender name refused")]
    [InlineData(0x0Bu, SendFailureKind.Permanent, "ESME_RINVDSTADR: invalid destination number")]
    [InlineData(0x43u, SendFailureKind.Permanent, "ESME_RINVESMCLASS: invalid esm_class")]
    [InlineData(0x48u, SendFailureKind.Permanent, "ESME_RINVSRCTON: invalid source TON")]
    [InlineData(0x49u, SendFailureKind.Permanent, "ESME_RINVSRCNPI: invalid source NPI")]
    [InlineData(0x50u, SendFailureKind.Permanent, "ESME_RINVDSTTON: invalid destination TON")]
    [InlineData(0x51u, SendFailureKind.Permanent, "ESME_RINVDSTNPI: invalid destination NPI")]
    [InlineData(0x61u, SendFailureKind.Permanent, "ESME_RINVSCHED: invalid scheduled time")]
    [InlineData(0x62u, SendFailureKind.Permanent, "ESME_RINVEXPIRY: invalid validity period")]
    [InlineData(0x65u, SendFailureKind.Permanent, "ESME_RX_P_APPN: permanent application error")]
    [InlineData(0x66u, SendFailureKind.Permanent, "ESME_RX_R_APPN: rejected by the application")]
    public void EveryTableEntry_KindAndText(uint status, SendFailureKind kind, string why)
    {
        Assert.Equal(kind, SmppFailures.Classify(status));
        Assert.Equal(why, SmppFailures.Describe(status));
    }

    [Fact]
    public void AnUnlistedCode_IsPermanent_NamedInHex() =>
        Assert.Equal("0x0000040A: not in the table, treated as permanent", SmppFailures.Describe(0x40A));

    private static string Refused(Action action) => Assert.Throws<DomainException>(action).Message;

    [Fact]
    public void PriceEntry_OperatorOrPrefix_NotBoth()
    {
        const string either = "A price is for either an operator or a number prefix.";
        Assert.Equal(either, Refused(() => new PriceListEntry(1, "MTS", "7916", 1m, "RUB", Now)));
        Assert.Equal(either, Refused(() => new PriceListEntry(1, " ", "", 1m, "RUB", Now)));
        var op = new PriceListEntry(1, " MTS ", " ", 1.5m, "RUB", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Unspecified));
        Assert.Equal((1, "MTS", (string?)null, 1.5m, "RUB", "MTS"), (op.ProviderId, op.Operator, op.Prefix, op.PricePerPart, op.Currency, op.Destination));
        Assert.Equal(DateTimeKind.Utc, op.ValidFrom.Kind);
        var prefix = new PriceListEntry(1, "", "7916", 2m, "USD", Now);
        Assert.Equal(((string?)null, "7916", "+7916", "USD"), (prefix.Operator, prefix.Prefix, prefix.Destination, prefix.Currency));
    }

    [Theory]
    [InlineData("+7916")]
    [InlineData("7916a")]
    [InlineData("1234567890123456")]
    public void PriceEntry_BadPrefix(string prefix) =>
        Assert.Equal("A prefix is 1 to 15 digits of the international number, without '+'.", Refused(() => new PriceListEntry(1, null, prefix, 1m, "RUB", Now)));

    [Fact]
    public void PriceEntry_PriceAndCurrency()
    {
        Assert.Equal("123456789012345", new PriceListEntry(1, null, "123456789012345", 1m, "RUB", Now).Prefix);
        Assert.Equal("7", new PriceListEntry(1, null, "7", 1m, "RUB", Now).Prefix);
        Assert.Equal(0m, new PriceListEntry(1, "MTS", null, 0m, "RUB", Now).PricePerPart);
        Assert.Equal(1_000_000m, new PriceListEntry(1, "MTS", null, 1_000_000m, "RUB", Now).PricePerPart);
        const string price = "A price per part is between 0 and 1,000,000.";
        Assert.Equal(price, Refused(() => new PriceListEntry(1, "MTS", null, -0.01m, "RUB", Now)));
        Assert.Equal(price, Refused(() => new PriceListEntry(1, "MTS", null, 1_000_000.01m, "RUB", Now)));
        const string currency = "A currency is a three-letter ISO 4217 code, such as RUB.";
        Assert.Equal(currency, Refused(() => new PriceListEntry(1, "MTS", null, 1m, "rub", Now)));
        Assert.Equal(currency, Refused(() => new PriceListEntry(1, "MTS", null, 1m, "RUBL", Now)));
        Assert.Equal(currency, Refused(() => new PriceListEntry(1, "MTS", null, 1m, "XRUB", Now)));
    }

    [Fact]
    public void PriceBook_LongestValidPrefix_ThenOperator_NewestValidFirst()
    {
        var book = new PriceBook(
        [
            new PriceListEntry(1, null, "7", 1m, "RUB", Now.AddDays(-10)),
            new PriceListEntry(1, null, "7916", 2m, "RUB", Now.AddDays(-10)),
            new PriceListEntry(1, null, "7916", 3m, "RUB", Now.AddDays(-1)),
            new PriceListEntry(1, null, "7916", 4m, "RUB", Now.AddDays(1)),
            new PriceListEntry(1, null, "79161", 5m, "RUB", Now.AddDays(1)),
            new PriceListEntry(1, "mts", null, 6m, "RUB", Now.AddDays(-10)),
            new PriceListEntry(1, "MTS", null, 7m, "RUB", Now.AddDays(-2)),
            new PriceListEntry(1, "Beeline", null, 8m, "RUB", Now.AddDays(5)),
        ]);
        Assert.Equal(8, book.Count);
        Assert.Equal(3m, book.Find("79161234567", "MTS", Now)!.PricePerPart);
        Assert.Equal(5m, book.Find("79161234567", "MTS", Now.AddDays(1))!.PricePerPart);
        Assert.Equal(3m, book.Find("79161234567", "MTS", Now.AddDays(1).AddTicks(-1))!.PricePerPart);
        Assert.Equal(1m, book.Find("79031234567", "Beeline", Now)!.PricePerPart);
        Assert.Equal(2m, book.Find("7916", "MTS", Now.AddDays(-5))!.PricePerPart);
        // Shorter than every prefix but "7".
        Assert.Equal(1m, book.Find("79", "MTS", Now)!.PricePerPart);

        Assert.Null(book.Find("1", "x", Now));

        var operators = new PriceBook(
        [
            new PriceListEntry(1, "mts", null, 6m, "RUB", Now.AddDays(-10)),
            new PriceListEntry(1, "MTS", null, 7m, "RUB", Now.AddDays(-2)),
            new PriceListEntry(1, "Beeline", null, 8m, "RUB", Now.AddDays(5)),
        ]);
        Assert.Equal(7m, operators.Find("79161234567", "mts", Now)!.PricePerPart);
        Assert.Equal(6m, operators.Find("79161234567", "MTS", Now.AddDays(-3))!.PricePerPart);
        Assert.Null(operators.Find("79161234567", "MTS", Now.AddDays(-11)));
        Assert.Null(operators.Find("79031234567", "Beeline", Now));
        Assert.Null(operators.Find("79031234567", "Tele2", Now));
        Assert.Null(PriceBook.Empty.Find("79161234567", "MTS", Now));
        Assert.Equal(0, PriceBook.Empty.Count);
    }

    [Fact]
    public void Provider_Name_IsOneTo100Characters()
    {
        var p = new SmsProvider(" MTS Gate ", ProviderKind.Http, "{\"url\":1}");
        Assert.Equal(("MTS Gate", ProviderKind.Http, "{\"url\":1}", true), (p.Name, p.Kind, p.SettingsJson, p.Enabled));
        Assert.Equal(100, new SmsProvider(new string('p', 100), ProviderKind.Smpp, "{}").Name.Length);
        Assert.Equal("A provider name is 1 to 100 characters.", Refused(() => new SmsProvider(new string('p', 101), ProviderKind.Smpp, "{}")));
        Assert.Equal("A provider name is 1 to 100 characters.", Refused(() => p.Rename(" ")));
        Assert.Equal("MTS Gate", p.Name);
    }
}
