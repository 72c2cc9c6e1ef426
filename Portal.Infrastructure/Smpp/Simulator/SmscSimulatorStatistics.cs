namespace Portal.Infrastructure.Smpp.Simulator;

public sealed class SmscSimulatorStatistics
{
    internal long BindsAccepted;
    internal long BindsRefused;
    internal long SubmitSmReceived;
    internal long SubmitSmAccepted;
    internal long ThrottledResponses;
    internal long GenericNacks;
    internal long Unanswered;
    internal long ConnectionsDropped;
    internal long ReceiptsSent;
    internal long ReceiptsAcknowledged;
    internal long DuplicateReceipts;
    internal long MoSent;
    internal long EnquireLinks;
    internal long Unbinds;
    internal long EnquireLinkResponses;
    internal long MalformedPdus;

    public long Binds => Interlocked.Read(ref BindsAccepted);
    public long RefusedBinds => Interlocked.Read(ref BindsRefused);
    public long SubmitSm => Interlocked.Read(ref SubmitSmReceived);
    public long Accepted => Interlocked.Read(ref SubmitSmAccepted);
    public long Throttled => Interlocked.Read(ref ThrottledResponses);
    public long Nacked => Interlocked.Read(ref GenericNacks);
    public long NotAnswered => Interlocked.Read(ref Unanswered);
    public long Dropped => Interlocked.Read(ref ConnectionsDropped);
    public long Receipts => Interlocked.Read(ref ReceiptsSent);
    public long ReceiptsAcked => Interlocked.Read(ref ReceiptsAcknowledged);
    public long ReceiptDuplicates => Interlocked.Read(ref DuplicateReceipts);
    public long Mo => Interlocked.Read(ref MoSent);
    public long EnquireLinksReceived => Interlocked.Read(ref EnquireLinks);
    public long EnquireLinkResponsesReceived => Interlocked.Read(ref EnquireLinkResponses);
    public long UnbindsReceived => Interlocked.Read(ref Unbinds);
    public long Malformed => Interlocked.Read(ref MalformedPdus);
}
