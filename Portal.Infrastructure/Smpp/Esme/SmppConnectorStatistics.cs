namespace Portal.Infrastructure.Smpp.Esme;

/// <summary>Counters for one connector (ids and counts only, never numbers or text).</summary>
public sealed class SmppConnectorStatistics
{
    internal long PartsSent;
    internal long PartsAccepted;
    internal long PartsRejected;
    internal long PartsUncertain;
    internal long ThrottleResponses;
    internal long Receipts;
    internal long DuplicateReceipts;
    internal long EarlyReceipts;
    internal long UnmatchedReceipts;
    internal long MoMessages;
    internal long InboundRefusals;
    internal long Binds;
    internal long BindFailures;
    internal long ConnectionsLost;

    public long SubmitSmSent => Interlocked.Read(ref PartsSent);
    public long SubmitSmAccepted => Interlocked.Read(ref PartsAccepted);
    public long SubmitSmRejected => Interlocked.Read(ref PartsRejected);
    public long SubmitSmUncertain => Interlocked.Read(ref PartsUncertain);
    public long Throttled => Interlocked.Read(ref ThrottleResponses);
    public long ReceiptsReceived => Interlocked.Read(ref Receipts);
    public long DuplicateReceiptsIgnored => Interlocked.Read(ref DuplicateReceipts);
    public long ReceiptsBeforeResponse => Interlocked.Read(ref EarlyReceipts);
    public long ReceiptsUnmatched => Interlocked.Read(ref UnmatchedReceipts);
    public long MoReceived => Interlocked.Read(ref MoMessages);
    public long DeliveriesRefusedWhileInboundFull => Interlocked.Read(ref InboundRefusals);
    public long SuccessfulBinds => Interlocked.Read(ref Binds);
    public long FailedBinds => Interlocked.Read(ref BindFailures);
    public long LostConnections => Interlocked.Read(ref ConnectionsLost);
}
