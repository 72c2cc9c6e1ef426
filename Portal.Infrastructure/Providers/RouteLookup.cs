using System.Globalization;
using System.Security.Claims;
using Portal.Domain.Access;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Providers;
using Portal.Infrastructure.Audit;

namespace Portal.Infrastructure.Providers;

public sealed record RouteLookupResult(string Phone, RoutePlan Plan);

/// <summary>
/// The "route this number" tool: the plan the router would follow for a typed number. The
/// number is personal data: it is never logged, and each lookup is audited with it masked.
/// </summary>
public sealed class RouteLookup(LeastCostMessageRouter router, AuditLog audit)
{
    /// <exception cref="DomainException">The input is not a phone number: the message says why.</exception>
    public async Task<RouteLookupResult> LookupAsync(ClaimsPrincipal actor, string input, int? namedProviderId, CancellationToken ct)
    {
        if (!PhoneNumber.TryParse(input, out var phone, out var error))
        {
            throw new DomainException(error ?? "This is not a phone number.");
        }
        var plan = await router.PlanAsync(phone.Value, namedProviderId, ct);
        await audit.WriteAsync(actor, AuditActions.RouteLookup, "Phone", null,
            $"phone={PersonalDataMask.Phone(phone.Value)}; operator={plan.Operator}; best={plan.Best?.ProviderId.ToString(CultureInfo.InvariantCulture) ?? "none"}", ct);
        return new RouteLookupResult(phone.Value, plan);
    }
}
