using Portal.Domain.Common;

namespace Portal.Domain.Clients;

/// <summary>
/// A customer of the company: who they are, where they live (for quiet hours), what they bought
/// (for audiences) and what they agreed to receive.
/// </summary>
public sealed class Client
{
    private Client() { }

    public Client(PhoneNumber phone, string? firstName, string? lastName, DateTime registeredAt)
    {
        ChangePhone(phone);
        FirstName = firstName;
        LastName = lastName;
        RegisteredAt = registeredAt;
        CreatedAt = UpdatedAt = registeredAt;
    }

    public long Id { get; private set; }
    /// <summary>The client's id in the company's CRM; unique when present.</summary>
    public string? ExternalId { get; set; }
    /// <summary>E.164, unique. Empty once erased.</summary>
    public string Phone { get; private set; } = "";
    public string? FirstName { get; set; }
    public string? MiddleName { get; set; }
    public string? LastName { get; set; }
    public Gender Gender { get; set; }
    public DateOnly? BirthDate { get; set; }
    /// <summary>ISO 639-1, e.g. <c>ru</c>.</summary>
    public string Language { get; set; } = "ru";
    /// <summary>Region code (ISO 3166-2:RU without the country, e.g. <c>MOW</c>), see <see cref="RussianRegions"/>.</summary>
    public string? RegionCode { get; set; }
    public string? City { get; set; }
    /// <summary>IANA time zone; quiet hours are computed in it.</summary>
    public string TimeZone { get; set; } = "Europe/Moscow";
    public ClientStatus Status { get; private set; } = ClientStatus.Active;
    public DateTime RegisteredAt { get; set; }
    public LoyaltyTier LoyaltyTier { get; set; }
    /// <summary>The client's tariff or product, as the CRM names it.</summary>
    public string? Tariff { get; set; }
    /// <summary>Derived from the phone's DEF code, see <see cref="MobileOperators"/>.</summary>
    public string Operator { get; private set; } = MobileOperators.Other;
    public decimal Balance { get; set; }
    public decimal TotalSpend { get; set; }
    public int PurchaseCount { get; set; }
    public DateTime? LastPurchaseAt { get; set; }
    public DateTime? LastActivityAt { get; set; }

    /// <summary>
    /// Event roll-ups (issue 5): the latest and the largest event of each common type, derived only
    /// from <see cref="ClientEvent"/> rows and kept by every writer of events, so event criteria
    /// compile to column predicates instead of probing 10 M events. Timestamps, not windowed counts:
    /// "a purchase in the last N days" is "the latest purchase is within N days" at any moment, so
    /// they never go stale as time passes and need no nightly refresh.
    /// </summary>
    public DateTime? LastPurchaseEventAt { get; private set; }
    /// <summary>The largest amount among the purchases at <see cref="LastPurchaseEventAt"/>.</summary>
    public decimal? LastPurchaseEventAmount { get; private set; }
    public decimal? MaxPurchaseEventAmount { get; private set; }
    public DateTime? LastPaymentEventAt { get; private set; }
    public decimal? LastPaymentEventAmount { get; private set; }
    public decimal? MaxPaymentEventAmount { get; private set; }
    public DateTime? LastLoginEventAt { get; private set; }
    public DateTime? LastVisitEventAt { get; private set; }

    public Consent ServiceConsent { get; private set; } = Consent.None;
    public Consent AdvertisingConsent { get; private set; } = Consent.None;
    public DateTime? OptedOutAt { get; private set; }
    public string? OptOutReason { get; private set; }

    public DateTime CreatedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }
    /// <summary>The trainee whose training sandbox holds this row; null for real data (issue 18, <see cref="Portal.Domain.Sandbox.SandboxPartition"/>).</summary>
    public string? SandboxOwnerId { get; private set; }

    /// <summary>Places a new row in a trainee's sandbox (never moves real data there: only before it is saved).</summary>
    public void PlaceInSandbox(string ownerId) => SandboxOwnerId = Portal.Domain.Sandbox.SandboxPartition.OwnerOfNewRow(Id, ownerId);


    public PhoneNumber PhoneNumber => PhoneNumber.FromTrusted(Phone);

    public void ChangePhone(PhoneNumber phone)
    {
        Phone = phone.Value;
        Operator = MobileOperators.Of(phone.Value);
    }

    /// <summary>
    /// Issue 20: THE definition of who may get a message of this purpose (before quiet hours and the
    /// frequency cap): active, not opted out, and for advertising with advertising consent. The
    /// estimate and the launch snapshot filter with this expression in SQL and the sender checks
    /// each message with its compiled form, so the three cannot disagree (they did: the snapshot
    /// took inactive clients the sender then cancelled).
    /// </summary>
    public static System.Linq.Expressions.Expression<Func<Client, bool>> Receives(ConsentPurpose purpose) =>
        purpose == ConsentPurpose.Service
            ? c => c.Status == ClientStatus.Active && c.OptedOutAt == null
            : c => c.Status == ClientStatus.Active && c.OptedOutAt == null && c.AdvertisingConsent.Granted;

    private static readonly Func<Client, bool> ReceivesService = Receives(ConsentPurpose.Service).Compile();
    private static readonly Func<Client, bool> ReceivesAdvertising = Receives(ConsentPurpose.Advertising).Compile();

    /// <summary>Whether a message of this purpose may be sent at all (before quiet hours and caps): <see cref="Receives"/>.</summary>
    public bool MayReceive(ConsentPurpose purpose) =>
        (purpose == ConsentPurpose.Service ? ReceivesService : ReceivesAdvertising)(this);

    /// <returns>The record to append to the consent history.</returns>
    public ConsentRecord SetConsent(ConsentPurpose purpose, bool granted, DateTime at, string source, string? evidence)
    {
        EnsureNotErased();
        if (string.IsNullOrWhiteSpace(source))
        {
            throw new DomainException("A consent change needs its source (e.g. 'crm', 'sms-reply', 'web-form').");
        }
        var consent = new Consent(granted, at, source, evidence);
        switch (purpose)
        {
            case ConsentPurpose.Service: ServiceConsent = consent; break;
            case ConsentPurpose.Advertising: AdvertisingConsent = consent; break;
            default: throw new DomainException("Unknown consent purpose {0}.", purpose);
        }
        Touch(at);
        return new ConsentRecord(Id, purpose, granted, at, source, evidence);
    }

    /// <summary>The client asked to receive nothing more (STOP reply, call centre, CRM).</summary>
    public void OptOut(DateTime at, string reason)
    {
        EnsureNotErased();
        if (OptedOutAt is not null)
        {
            return;
        }
        OptedOutAt = at;
        OptOutReason = string.IsNullOrWhiteSpace(reason) ? "unspecified" : reason.Trim();
        Touch(at);
    }

    public void OptIn(DateTime at)
    {
        EnsureNotErased();
        OptedOutAt = null;
        OptOutReason = null;
        Touch(at);
    }

    public void Deactivate(DateTime at) => SetStatus(ClientStatus.Inactive, at);
    public void Block(DateTime at) => SetStatus(ClientStatus.Blocked, at);
    public void Activate(DateTime at) => SetStatus(ClientStatus.Active, at);

    /// <summary>
    /// Right to erasure (152-FZ art. 21, GDPR art. 17): personal data goes, the row and its
    /// non-identifying aggregates stay so campaign statistics keep adding up.
    /// </summary>
    public void Erase(DateTime at)
    {
        Phone = $"erased:{Id}";
        ExternalId = null;
        FirstName = MiddleName = LastName = City = null;
        BirthDate = null;
        Gender = Gender.Unknown;
        ServiceConsent = AdvertisingConsent = Consent.None;
        OptedOutAt ??= at;
        OptOutReason = "erased";
        Status = ClientStatus.Erased;
        Touch(at);
    }

    private void SetStatus(ClientStatus status, DateTime at)
    {
        EnsureNotErased();
        Status = status;
        Touch(at);
    }

    private void EnsureNotErased()
    {
        if (Status == ClientStatus.Erased)
        {
            throw new DomainException("This client's personal data was erased; the record can no longer change.");
        }
    }

    private void Touch(DateTime at) => UpdatedAt = at;
}
