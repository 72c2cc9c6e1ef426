using System.Text;
using Microsoft.Extensions.Localization;
using Portal.Components.Pages.Analytics;
using Portal.Identity;
using Portal.Infrastructure.Analytics;
using Portal.Domain.Segments;
using Portal.Infrastructure.Campaigns;
using Portal.Infrastructure.Identity;
using Portal.Resources;

namespace Portal.Hosting;

internal static class AnalyticsEndpoints
{
    /// <summary>
    /// The results table of one breakdown as CSV: the same cells the page shows (<see cref="ResultsTable"/>),
    /// in the user's language, formula-safe. No phone or name is in it, so it is not a personal-data export.
    /// </summary>
    public static void MapAnalyticsEndpoints(this WebApplication app)
    {
        app.MapGet("/analytics/campaigns/{id:int}/results.csv", async (int id, string? by, int? audience, HttpContext context,
            CampaignResults results, AudienceResults audiences, DepartmentScopes scopes, CampaignCatalog catalog, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
        {
            var dimension = by is not null && (ResultDimensions.Breakdowns.Contains(by) || (by == ResultDimensions.Audience && audience is not null)) ? by : ResultDimensions.Region;
            var campaign = await catalog.FindAsync(id, ct);
            var profile = await catalog.ProfileAsync(context.User.Identity?.Name, ct);
            if (campaign is null || !context.User.CanSeeResults(profile.DepartmentId, campaign.DepartmentId, campaign.CreatedBy)
                || await results.GetAsync(id, ct) is not { } report)
            {
                return Results.NotFound();
            }
            var providers = (await catalog.OptionsAsync(ct)).Providers.ToDictionary(p => p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.Name);
            var rows = new List<string[]> { ResultsTable.Header(L), ResultsTable.Cells(report.Total, L, providers) };
            if (dimension == ResultDimensions.Audience)
            {
                // In and out of a saved audience: the same rows the page shows for it, under the same checks.
                IReadOnlyList<ResultRow>? split;
                try
                {
                    split = await audiences.GetAsync(id, audience!.Value, await scopes.ForAsync(context.User, ct), context.User.SeesPersonalData(), ct);
                }
                catch (SegmentRuleException e)
                {
                    return Results.Problem(string.Join(" ", e.Errors.Select(x => L[x.Message].Value).Distinct()), statusCode: StatusCodes.Status403Forbidden);
                }
                if (split is null) return Results.NotFound();
                rows.AddRange(split.Select(r => ResultsTable.Cells(r, L, providers)));
            }
            else
            {
                rows.AddRange(report.Breakdown.Where(r => r.Dimension == dimension).Select(r => ResultsTable.Cells(r, L, providers)));
            }
            var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(ResultsTable.Csv(rows))).ToArray();
            return Results.File(bytes, "text/csv; charset=utf-8", dimension == ResultDimensions.Audience ? $"campaign-{id}-audience-{audience}.csv" : $"campaign-{id}-{dimension}.csv");
        }).RequireAuthorization(Policies.Analytics);
    }
}
