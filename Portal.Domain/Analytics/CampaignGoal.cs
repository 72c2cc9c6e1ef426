using Portal.Domain.Clients;
using Portal.Domain.Common;

namespace Portal.Domain.Analytics;

/// <summary>The client event types a goal counts; stored as one integer so SQL can test it with a bit mask.</summary>
[Flags]
public enum GoalEventTypes
{
    None = 0,
    Purchase = 1,
    Payment = 2,
    Login = 4,
    Visit = 8,
    /// <summary>Any event the API or a sync brings in under its own name.</summary>
    Custom = 16,
}

/// <summary>
/// What a campaign wants clients to do afterwards: one or more event types, an optional minimum
/// amount, and how long after the message an event still counts (issue 15).
/// </summary>
public sealed record CampaignGoal
{
    public const int DefaultWindowHours = 7 * 24;
    public const int MinWindowHours = 1;
    public const int MaxWindowHours = 90 * 24;

    public CampaignGoal(GoalEventTypes events, decimal? minAmount = null, int windowHours = DefaultWindowHours)
    {
        if (events == GoalEventTypes.None || (events & ~All) != 0)
        {
            throw new DomainException("A goal names at least one event type.");
        }
        if (minAmount is < 0)
        {
            throw new DomainException("A goal's minimum amount cannot be negative.");
        }
        if (windowHours is < MinWindowHours or > MaxWindowHours)
        {
            throw new DomainException("The attribution window is 1 hour to 90 days.");
        }
        Events = events;
        MinAmount = minAmount;
        WindowHours = windowHours;
    }

    private const GoalEventTypes All = GoalEventTypes.Purchase | GoalEventTypes.Payment | GoalEventTypes.Login | GoalEventTypes.Visit | GoalEventTypes.Custom;

    public GoalEventTypes Events { get; }
    public decimal? MinAmount { get; }
    public int WindowHours { get; }
    public TimeSpan Window => TimeSpan.FromHours(WindowHours);

    public static GoalEventTypes Flag(ClientEventType type) => type switch
    {
        ClientEventType.Purchase => GoalEventTypes.Purchase,
        ClientEventType.Payment => GoalEventTypes.Payment,
        ClientEventType.Login => GoalEventTypes.Login,
        ClientEventType.Visit => GoalEventTypes.Visit,
        ClientEventType.Custom => GoalEventTypes.Custom,
        _ => GoalEventTypes.None,
    };

    /// <summary>True when the event is of a goal type and, with a minimum amount, carries at least that amount.</summary>
    public bool Accepts(ClientEventType type, decimal? amount) =>
        (Events & Flag(type)) != 0 && (MinAmount is not { } min || amount >= min);
}
