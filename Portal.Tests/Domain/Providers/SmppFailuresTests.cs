using Portal.Domain.Providers;

namespace Portal.Tests.Domain.Providers;

public class SmppFailuresTests
{
    [Theory]
    [InlineData(0x58u, SendFailureKind.Temporary)] // throttled: another provider may take it now
    [InlineData(0x14u, SendFailureKind.Temporary)] // queue full
    [InlineData(0x45u, SendFailureKind.Temporary)] // submit failed
    [InlineData(0x08u, SendFailureKind.Temporary)] // system error
    [InlineData(0x0Du, SendFailureKind.Temporary)] // bind failed: connection down
    [InlineData(0xFFu, SendFailureKind.Temporary)]
    [InlineData(0x0Bu, SendFailureKind.Permanent)] // invalid destination: nobody will deliver it
    [InlineData(0x01u, SendFailureKind.Permanent)]
    [InlineData(0x65u, SendFailureKind.Permanent)]
    [InlineData(0x0401u, SendFailureKind.Permanent)] // vendor code: not retried
    public void Classify_Table(uint status, SendFailureKind expected) => Assert.Equal(expected, SmppFailures.Classify(status));

    [Fact]
    public void Describe_NamesTheSpecCode()
    {
        Assert.StartsWith("ESME_RTHROTTLED", SmppFailures.Describe(0x58));
        Assert.Contains("treated as permanent", SmppFailures.Describe(0x0401));
    }
}
