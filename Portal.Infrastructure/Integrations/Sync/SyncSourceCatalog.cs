using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Domain.Audit;
using Portal.Domain.Common;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Integrations.Sync;

/// <summary>A source as it is edited. Blank <see cref="ConnectionString"/> or <see cref="Token"/> on an edit keeps the stored one.</summary>
public sealed record SyncSourceDraft(
    string Name, SyncSourceKind Kind, SyncTarget Target, string? ConnectionString, string? Url, string? Token,
    string Query, string WatermarkColumn, string Cron, IReadOnlyList<(string Column, string Field)> Mapping, bool Enabled)
{
    /// <summary>Minutes re-read before the watermark on every run (<see cref="SyncSource.OverlapMinutes"/>).</summary>
    public int OverlapMinutes { get; init; } = SyncSource.DefaultOverlapMinutes;
}

/// <summary>A source as the admin UI lists it: where it is, never its secrets.</summary>
public sealed record SyncSourceRow(
    int Id, string Name, SyncSourceKind Kind, SyncTarget Target, string Where, string? Url, bool HasToken, string Query,
    string WatermarkColumn, string? Watermark, string Cron, IReadOnlyList<(string Column, string Field)> Mapping, bool Enabled,
    SyncRunRow? LastRun, DateTimeOffset? NextFire)
{
    public int OverlapMinutes { get; init; } = SyncSource.DefaultOverlapMinutes;
}

public sealed record SyncRunRow(long Id, DateTime StartedAt, DateTime? FinishedAt, int RowsRead, int Upserted, int Rejected, bool Succeeded, string? Error)
{
    public TimeSpan? Duration => FinishedAt - StartedAt;

    /// <summary>Issue 20: the first rejected rows and why (<see cref="SyncRun.MaxRowErrors"/> at most).</summary>
    public IReadOnlyList<SyncRowError> RowErrors { get; init; } = [];
}

/// <summary>Creates, changes, lists and deletes sync sources; keeps the scheduler in step and audits every change.</summary>
public sealed class SyncSourceCatalog(IDbContextFactory<PortalDbContext> contexts, SyncSecrets secrets, ISyncSchedule schedule, AuditLog audit)
{
    public async Task<IReadOnlyList<SyncSourceRow>> ListAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var sources = await db.SyncSources.AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
        var ids = sources.Select(s => s.Id).ToList();
        var lastIds = await db.SyncRuns.AsNoTracking().Where(r => ids.Contains(r.SourceId))
            .GroupBy(r => r.SourceId).Select(g => g.Max(r => r.Id)).ToListAsync(ct);
        var last = await db.SyncRuns.AsNoTracking().Where(r => lastIds.Contains(r.Id)).ToDictionaryAsync(r => r.SourceId, ct);
        var rows = new List<SyncSourceRow>();
        foreach (var s in sources)
        {
            SyncEndpoint endpoint;
            try
            {
                endpoint = secrets.Unprotect(s.Location);
            }
            catch (InvalidDataException)
            {
                endpoint = new SyncEndpoint(null, null, null);
            }
            rows.Add(new SyncSourceRow(s.Id, s.Name, s.Kind, s.Target, endpoint.Describe(s.Kind), endpoint.Url, !string.IsNullOrEmpty(endpoint.Token),
                s.Query, s.WatermarkColumn, s.Watermark, s.Cron, MappingOf(s), s.Enabled,
                last.TryGetValue(s.Id, out var r) ? ToRow(r) : null, s.Enabled ? await schedule.NextFireAsync(s.Id, ct) : null)
            {
                OverlapMinutes = s.OverlapMinutes,
            });
        }
        return rows;
    }

    public async Task<IReadOnlyList<SyncRunRow>> RunsAsync(int sourceId, int take, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var runs = await db.SyncRuns.AsNoTracking().Where(r => r.SourceId == sourceId).OrderByDescending(r => r.Id).Take(take).ToListAsync(ct);
        return runs.Select(ToRow).ToList();
    }

    /// <summary>The custom attributes a client source's column can be mapped to.</summary>
    public async Task<IReadOnlyList<Domain.Clients.AttributeDefinition>> AttributesAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.AttributeDefinitions.AsNoTracking().OrderBy(d => d.Key).ToListAsync(ct);
    }

    /// <exception cref="DomainException">A column is mapped to a custom attribute that is not defined.</exception>
    private static async Task EnsureAttributesAsync(PortalDbContext db, SyncSourceDraft draft, CancellationToken ct)
    {
        if (draft.Target != SyncTarget.Clients)
        {
            return;
        }
        var keys = SyncMapping.Parse(SyncMapping.ToJson(draft.Mapping), draft.Target).AttributeColumns().Values.ToList();
        if (keys.Count == 0)
        {
            return;
        }
        var defined = await db.AttributeDefinitions.AsNoTracking().Select(d => d.Key).ToListAsync(ct);
        if (keys.FirstOrDefault(k => !defined.Contains(k, StringComparer.OrdinalIgnoreCase)) is { } missing)
        {
            throw new DomainException("There is no custom attribute '{0}': define it first, or map the column to another field.", missing);
        }
    }

    /// <exception cref="DomainException">The draft is invalid: the message says what to fix.</exception>
    public async Task<int> CreateAsync(ClaimsPrincipal actor, SyncSourceDraft draft, CancellationToken ct)
    {
        Validate(draft, stored: null);
        await using (var check = await contexts.CreateDbContextAsync(ct))
        {
            await EnsureAttributesAsync(check, draft, ct);
        }
        var source = new SyncSource(draft.Name, draft.Kind, draft.Target, secrets.Protect(EndpointOf(draft, null)), draft.Query.Trim(),
            draft.WatermarkColumn.Trim(), draft.Cron.Trim(), SyncMapping.ToJson(draft.Mapping)) { Enabled = draft.Enabled };
        source.SetOverlap(draft.OverlapMinutes);
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            await EnsureUniqueNameAsync(db, source.Name, null, ct);
            db.SyncSources.Add(source);
            await db.SaveChangesAsync(ct);
        }
        await schedule.ApplyAsync(source, ct);
        await audit.WriteAsync(actor, AuditActions.SyncSourceCreated, nameof(SyncSource), source.Id.ToString(), Summary(source), ct);
        return source.Id;
    }

    /// <exception cref="DomainException">The draft is invalid, or the source is gone.</exception>
    public async Task UpdateAsync(ClaimsPrincipal actor, int id, SyncSourceDraft draft, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var source = await db.SyncSources.FirstOrDefaultAsync(s => s.Id == id, ct) ?? throw new DomainException("This source no longer exists.");
        if (draft.Kind != source.Kind || draft.Target != source.Target)
        {
            throw new DomainException("A source's kind and target cannot change: create a new source.");
        }
        var stored = secrets.Unprotect(source.Location);
        Validate(draft, stored);
        await EnsureAttributesAsync(db, draft, ct);
        await EnsureUniqueNameAsync(db, draft.Name.Trim(), id, ct);
        var changedQuery = source.Query != draft.Query.Trim() || source.WatermarkColumn != draft.WatermarkColumn.Trim();
        source.Rename(draft.Name);
        source.Location = secrets.Protect(EndpointOf(draft, stored));
        source.Query = draft.Query.Trim();
        source.WatermarkColumn = draft.WatermarkColumn.Trim();
        source.Cron = draft.Cron.Trim();
        source.MappingJson = SyncMapping.ToJson(draft.Mapping);
        source.Enabled = draft.Enabled;
        source.SetOverlap(draft.OverlapMinutes);
        await db.SaveChangesAsync(ct);
        await schedule.ApplyAsync(source, ct);
        await audit.WriteAsync(actor, AuditActions.SyncSourceChanged, nameof(SyncSource), id.ToString(),
            Summary(source) + (changedQuery ? "; query changed" : "") + (string.IsNullOrWhiteSpace(draft.ConnectionString) && string.IsNullOrWhiteSpace(draft.Token) ? "" : "; credentials changed"), ct);
    }

    public async Task SetEnabledAsync(ClaimsPrincipal actor, int id, bool enabled, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var source = await db.SyncSources.FirstOrDefaultAsync(s => s.Id == id, ct) ?? throw new DomainException("This source no longer exists.");
        source.Enabled = enabled;
        await db.SaveChangesAsync(ct);
        await schedule.ApplyAsync(source, ct);
        await audit.WriteAsync(actor, AuditActions.SyncSourceChanged, nameof(SyncSource), id.ToString(), $"name={source.Name}; enabled={enabled}", ct);
    }

    /// <summary>Forgets the watermark: the next run reads everything again.</summary>
    public async Task ResetWatermarkAsync(ClaimsPrincipal actor, int id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.SyncSources.Where(s => s.Id == id).ExecuteUpdateAsync(u => u.SetProperty(s => s.Watermark, (string?)null), ct);
        await audit.WriteAsync(actor, AuditActions.SyncSourceChanged, nameof(SyncSource), id.ToString(), "watermark reset", ct);
    }

    public async Task<bool> DeleteAsync(ClaimsPrincipal actor, int id, CancellationToken ct)
    {
        await schedule.RemoveAsync(id, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var source = await db.SyncSources.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (source is null)
        {
            return false;
        }
        db.SyncSources.Remove(source); // its runs go with it (cascade)
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(actor, AuditActions.SyncSourceDeleted, nameof(SyncSource), id.ToString(), $"name={source.Name}", ct);
        return true;
    }

    public Task RunNowAsync(int id, CancellationToken ct) => schedule.TriggerNowAsync(id, ct);

    private static SyncEndpoint EndpointOf(SyncSourceDraft d, SyncEndpoint? stored) => d.Kind == SyncSourceKind.Postgres
        ? new SyncEndpoint(string.IsNullOrWhiteSpace(d.ConnectionString) ? stored?.ConnectionString : d.ConnectionString.Trim(), null, null)
        : new SyncEndpoint(null, d.Url?.Trim(), string.IsNullOrWhiteSpace(d.Token) ? stored?.Token : d.Token.Trim());

    private static void Validate(SyncSourceDraft d, SyncEndpoint? stored)
    {
        if (string.IsNullOrWhiteSpace(d.Name) || d.Name.Trim().Length > 100)
        {
            throw new DomainException("A source's name is 1 to 100 characters.");
        }
        if (!SyncCron.TryDescribe(d.Cron, out _, out var cronError))
        {
            throw new DomainException(cronError!);
        }
        SyncMapping.Parse(SyncMapping.ToJson(d.Mapping), d.Target);
        if (d.WatermarkColumn.Trim().Length > 100)
        {
            throw new DomainException("The watermark column's name is at most 100 characters.");
        }
        if (d.Kind == SyncSourceKind.Postgres)
        {
            var cs = string.IsNullOrWhiteSpace(d.ConnectionString) ? stored?.ConnectionString : d.ConnectionString;
            if (string.IsNullOrWhiteSpace(cs))
            {
                throw new DomainException("Enter the source database's connection string.");
            }
            try
            {
                _ = new NpgsqlConnectionStringBuilder(cs);
            }
            catch (ArgumentException)
            {
                throw new DomainException("The connection string is not a valid Npgsql connection string (Host=...;Database=...;Username=...;Password=...).");
            }
            if (string.IsNullOrWhiteSpace(d.Query) || d.Query.Length > 8000)
            {
                throw new DomainException("Enter the SQL query (at most 8,000 characters).");
            }
            // Checked again before every run (SyncRunner), for queries saved before this rule.
            if (SyncQueryGuard.Check(d.Query) is { } refused)
            {
                throw new DomainException(refused);
            }
        }
        else if (!Uri.TryCreate(d.Url?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || d.Url!.Length > 1000)
        {
            throw new DomainException("Enter the endpoint's http(s) URL (at most 1,000 characters).");
        }
    }

    private static async Task EnsureUniqueNameAsync(PortalDbContext db, string name, int? except, CancellationToken ct)
    {
        if (await db.SyncSources.AnyAsync(s => s.Name == name && s.Id != except, ct))
        {
            throw new DomainException("A source named '{0}' already exists.", name);
        }
    }

    private static IReadOnlyList<(string Column, string Field)> MappingOf(SyncSource s)
    {
        try
        {
            return SyncMapping.Parse(s.MappingJson, s.Target).Pairs;
        }
        catch (DomainException)
        {
            return [];
        }
    }

    private static string Summary(SyncSource s) => $"name={s.Name}; kind={s.Kind}; target={s.Target}; cron={s.Cron}; enabled={s.Enabled}; overlap={s.OverlapMinutes} min";

    private static SyncRunRow ToRow(SyncRun r) => new(r.Id, r.StartedAt, r.FinishedAt, r.RowsRead, r.Upserted, r.Rejected, r.Succeeded, r.Error)
    {
        RowErrors = r.RowErrors(),
    };
}
