namespace Portal.Infrastructure.Dashboard;

/// <summary>The live dashboard's one read per tick (a seam so component tests can feed it).</summary>
public interface IDashboardQueries
{
    /// <param name="dayStartUtc">Midnight of the viewer's day, in UTC: "today" starts there.</param>
    Task<DashboardSnapshot> ReadAsync(DateTime dayStartUtc, CancellationToken ct = default);
}
