using Portal.Domain.Clients;

namespace Portal.Domain.Analytics;

/// <summary>
/// A moment a campaign reached a client: the delivery of their message, or for a control-group
/// client the moment the message would have been sent (the launch snapshot of their control row).
/// </summary>
public readonly record struct Touch(int CampaignId, long MessageId, bool IsControl, DateTime At, CampaignGoal Goal);

/// <summary>
/// The attribution rule (docs/decisions/0008-analytics-attribution.md), one event at a time:
/// among the touches whose goal accepts the event and whose window holds it
/// (touch ≤ event ≤ touch + window, both ends included), the last touch wins; ties go to the higher
/// campaign id so every node and both databases agree. Control touches compete like sent ones: a
/// held-back client is credited to the campaign that held them back exactly when a sent client would be.
/// </summary>
public static class Attribution
{
    public static Touch? LastTouch(ClientEventType type, decimal? amount, DateTime occurredAt, IEnumerable<Touch> touches)
    {
        Touch? best = null;
        foreach (var t in touches)
        {
            if (!t.Goal.Accepts(type, amount) || occurredAt < t.At || occurredAt > t.At + t.Goal.Window) continue;
            if (best is not { } b || t.At > b.At || (t.At == b.At && t.CampaignId > b.CampaignId))
            {
                best = t;
            }
        }
        return best;
    }
}
