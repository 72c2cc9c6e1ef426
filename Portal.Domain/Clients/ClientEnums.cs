namespace Portal.Domain.Clients;

public enum Gender
{
    Unknown = 0,
    Male = 1,
    Female = 2,
}

public enum ClientStatus
{
    Active = 1,
    Inactive = 2,
    Blocked = 3,
    /// <summary>Personal data erased on request; the row stays so aggregates keep their counts.</summary>
    Erased = 4,
}

public enum LoyaltyTier
{
    None = 0,
    Silver = 1,
    Gold = 2,
    Platinum = 3,
}
