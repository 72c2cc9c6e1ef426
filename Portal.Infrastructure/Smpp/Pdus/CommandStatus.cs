namespace Portal.Infrastructure.Smpp.Pdus;

/// <summary>SMPP 3.4 command_status error codes (spec 5.1.3). Spec names in comments.</summary>
public enum CommandStatus : uint
{
    Ok = 0x0000_0000,                        // ESME_ROK
    InvalidMessageLength = 0x0000_0001,      // ESME_RINVMSGLEN
    InvalidCommandLength = 0x0000_0002,      // ESME_RINVCMDLEN
    InvalidCommandId = 0x0000_0003,          // ESME_RINVCMDID
    IncorrectBindStatus = 0x0000_0004,       // ESME_RINVBNDSTS
    AlreadyBound = 0x0000_0005,              // ESME_RALYBND
    InvalidPriorityFlag = 0x0000_0006,       // ESME_RINVPRTFLG
    InvalidRegisteredDelivery = 0x0000_0007, // ESME_RINVREGDLVFLG
    SystemError = 0x0000_0008,               // ESME_RSYSERR
    InvalidSourceAddress = 0x0000_000A,      // ESME_RINVSRCADR
    InvalidDestinationAddress = 0x0000_000B, // ESME_RINVDSTADR
    InvalidMessageId = 0x0000_000C,          // ESME_RINVMSGID
    BindFailed = 0x0000_000D,                // ESME_RBINDFAIL
    InvalidPassword = 0x0000_000E,           // ESME_RINVPASWD
    InvalidSystemId = 0x0000_000F,           // ESME_RINVSYSID
    MessageQueueFull = 0x0000_0014,          // ESME_RMSGQFUL
    InvalidServiceType = 0x0000_0015,        // ESME_RINVSERTYP
    InvalidEsmClass = 0x0000_0043,           // ESME_RINVESMCLASS
    SubmitFailed = 0x0000_0045,              // ESME_RSUBMITFAIL
    InvalidSourceTon = 0x0000_0048,          // ESME_RINVSRCTON
    InvalidSourceNpi = 0x0000_0049,          // ESME_RINVSRCNPI
    InvalidDestinationTon = 0x0000_0050,     // ESME_RINVDSTTON
    InvalidDestinationNpi = 0x0000_0051,     // ESME_RINVDSTNPI
    InvalidSystemType = 0x0000_0053,         // ESME_RINVSYSTYP
    Throttled = 0x0000_0058,                 // ESME_RTHROTTLED
    InvalidScheduledTime = 0x0000_0061,      // ESME_RINVSCHED
    InvalidExpiry = 0x0000_0062,             // ESME_RINVEXPIRY
    TemporaryAppError = 0x0000_0064,         // ESME_RX_T_APPN
    PermanentAppError = 0x0000_0065,         // ESME_RX_P_APPN
    RejectedAppError = 0x0000_0066,          // ESME_RX_R_APPN
    QueryFailed = 0x0000_0067,               // ESME_RQUERYFAIL
    InvalidOptionalParameterStream = 0x0000_00C0, // ESME_RINVOPTPARSTREAM
    OptionalParameterNotAllowed = 0x0000_00C1,    // ESME_ROPTPARNOTALLWD
    InvalidParameterLength = 0x0000_00C2,         // ESME_RINVPARLEN
    MissingOptionalParameter = 0x0000_00C3,       // ESME_RMISSINGOPTPARAM
    InvalidOptionalParameterValue = 0x0000_00C4,  // ESME_RINVOPTPARAMVAL
    DeliveryFailure = 0x0000_00FE,           // ESME_RDELIVERYFAILURE
    UnknownError = 0x0000_00FF,              // ESME_RUNKNOWNERR
}

public static class CommandStatusExtensions
{
    /// <summary>
    /// Statuses after which the same submit_sm may succeed later. Everything else is treated as a
    /// permanent rejection of this message so the sender does not loop on it.
    /// </summary>
    public static bool IsTemporary(this CommandStatus status) => status is
        CommandStatus.Throttled or CommandStatus.MessageQueueFull or CommandStatus.SystemError or
        CommandStatus.TemporaryAppError or CommandStatus.SubmitFailed or CommandStatus.UnknownError or
        CommandStatus.DeliveryFailure;

    /// <summary>ESME_RTHROTTLED and ESME_RMSGQFUL mean "slow down the whole connector", not "this message is bad".</summary>
    public static bool IsThrottling(this CommandStatus status) =>
        status is CommandStatus.Throttled or CommandStatus.MessageQueueFull;
}
