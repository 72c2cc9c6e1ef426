namespace Portal.Domain.Providers;

/// <summary>What a failed submit means for routing (issue 7).</summary>
public enum SendFailureKind
{
    /// <summary>The provider did not take the message and another may: fail over to the next candidate.</summary>
    Temporary = 1,
    /// <summary>The message itself was refused (bad number, bad content): no provider will take it, never retry.</summary>
    Permanent = 2,
    /// <summary>It may have been accepted (no response): never re-send elsewhere, a resend could double the SMS.</summary>
    Uncertain = 3,
}

/// <summary>
/// The one table of SMPP 3.4 command_status values (spec 5.1.3) and what each means for
/// routing. Codes not listed (including vendor codes 0x400-0x4FF) are permanent: refusing to
/// retry costs one message, retrying a real refusal everywhere costs money and may spam.
/// </summary>
public static class SmppFailures
{
    private static readonly Dictionary<uint, (SendFailureKind Kind, string Why)> Table = new()
    {
        [0x0000_0008] = (SendFailureKind.Temporary, "ESME_RSYSERR: system error at the provider"),
        [0x0000_000D] = (SendFailureKind.Temporary, "ESME_RBINDFAIL: not bound, the connection is down"),
        [0x0000_000E] = (SendFailureKind.Temporary, "ESME_RINVPASWD: provider refuses our credentials"),
        [0x0000_000F] = (SendFailureKind.Temporary, "ESME_RINVSYSID: provider refuses our system_id"),
        [0x0000_0014] = (SendFailureKind.Temporary, "ESME_RMSGQFUL: provider queue full"),
        [0x0000_0045] = (SendFailureKind.Temporary, "ESME_RSUBMITFAIL: submit failed at the provider"),
        [0x0000_0058] = (SendFailureKind.Temporary, "ESME_RTHROTTLED: over the provider's speed"),
        [0x0000_0064] = (SendFailureKind.Temporary, "ESME_RX_T_APPN: temporary application error"),
        [0x0000_00FE] = (SendFailureKind.Temporary, "ESME_RDELIVERYFAILURE: delivery failure (transaction mode)"),
        [0x0000_00FF] = (SendFailureKind.Temporary, "ESME_RUNKNOWNERR: unknown error"),
        [0x0000_0001] = (SendFailureKind.Permanent, "ESME_RINVMSGLEN: message length invalid"),
        [0x0000_000A] = (SendFailureKind.Permanent, "ESME_RINVSRCADR: sender name refused"),
        [0x0000_000B] = (SendFailureKind.Permanent, "ESME_RINVDSTADR: invalid destination number"),
        [0x0000_0043] = (SendFailureKind.Permanent, "ESME_RINVESMCLASS: invalid esm_class"),
        [0x0000_0048] = (SendFailureKind.Permanent, "ESME_RINVSRCTON: invalid source TON"),
        [0x0000_0049] = (SendFailureKind.Permanent, "ESME_RINVSRCNPI: invalid source NPI"),
        [0x0000_0050] = (SendFailureKind.Permanent, "ESME_RINVDSTTON: invalid destination TON"),
        [0x0000_0051] = (SendFailureKind.Permanent, "ESME_RINVDSTNPI: invalid destination NPI"),
        [0x0000_0061] = (SendFailureKind.Permanent, "ESME_RINVSCHED: invalid scheduled time"),
        [0x0000_0062] = (SendFailureKind.Permanent, "ESME_RINVEXPIRY: invalid validity period"),
        [0x0000_0065] = (SendFailureKind.Permanent, "ESME_RX_P_APPN: permanent application error"),
        [0x0000_0066] = (SendFailureKind.Permanent, "ESME_RX_R_APPN: rejected by the application"),
    };

    /// <summary>What a non-zero command_status means for routing.</summary>
    public static SendFailureKind Classify(uint commandStatus) =>
        Table.TryGetValue(commandStatus, out var entry) ? entry.Kind : SendFailureKind.Permanent;

    /// <summary>The spec name and a short explanation, for the route tool and logs.</summary>
    public static string Describe(uint commandStatus) =>
        Table.TryGetValue(commandStatus, out var entry) ? entry.Why : $"0x{commandStatus:X8}: not in the table, treated as permanent";
}
