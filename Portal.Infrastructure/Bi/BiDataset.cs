using System.Data.Common;
using System.Globalization;

namespace Portal.Infrastructure.Bi;

/// <summary>
/// A dataset: a stable, versioned schema (docs/bi.md) and the one set-based query that streams it.
/// Row datasets (messages, campaigns, replies) are ordered by their id so the read API pages by
/// keyset ("id &gt; last id"), never by offset; aggregates are grouped in the database.
/// </summary>
public sealed class BiDataset
{
    internal BiDataset(string name, int version, string description, IReadOnlyList<BiColumn> columns, Func<BiSql, string> sql, bool keyed)
    {
        Name = name;
        SchemaVersion = version;
        Description = description;
        AllColumns = columns;
        Sql = sql;
        Keyed = keyed;
    }

    public string Name { get; }
    /// <summary>Raised only when a column is removed or changes type; adding a column keeps it.</summary>
    public int SchemaVersion { get; }
    public string Description { get; }
    public IReadOnlyList<BiColumn> AllColumns { get; }
    /// <summary>True when the first column is a unique, increasing id the read API can page on.</summary>
    public bool Keyed { get; }
    internal Func<BiSql, string> Sql { get; }

    /// <summary>The columns a caller sees: personal ones only with the personal-data permission.</summary>
    public IReadOnlyList<BiColumn> Columns(bool personal) => personal ? AllColumns : AllColumns.Where(c => !c.Personal).ToList();

    public bool HasPersonalColumns => AllColumns.Any(c => c.Personal);
}

/// <summary>What a dataset's SQL builder needs: the provider, the filter, the keyset position and parameters.</summary>
internal sealed class BiSql(DbCommand command, bool postgres, BiFilter filter, long? after, int? limit, bool personal)
{
    public bool Pg { get; } = postgres;
    public BiFilter Filter { get; } = filter;
    public long? After { get; } = after;
    public int? Limit { get; } = limit;
    public bool Personal { get; } = personal;

    /// <summary>Adds a parameter and returns its placeholder. SQLite stores DateTime as EF's text, so it is compared as that text.</summary>
    public string P(object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = "@p" + command.Parameters.Count;
        p.Value = value is DateTime d && !Pg ? d.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) : value;
        command.Parameters.Add(p);
        return p.ParameterName;
    }

    /// <summary>"AND …" conditions for the period on <paramref name="time"/>, the department and the campaign (or its runs).</summary>
    public string Where(string? time, string? department, string? campaign, string? campaignParent)
    {
        var w = new List<string>();
        if (time is not null && Filter.From is { } from) w.Add($"{time} >= {P(from)}");
        if (time is not null && Filter.To is { } to) w.Add($"{time} < {P(to)}");
        if (department is not null && Filter.DepartmentId is { } d) w.Add($"{department} = {P(d)}");
        if (department is not null && Filter.Departments is { } ds)
        {
            w.Add(ds.Count == 0 ? "1 = 0" : $"{department} IN ({string.Join(", ", ds.Select(x => x.ToString(CultureInfo.InvariantCulture)))})");
        }
        if (campaign is not null && Filter.CampaignId is { } c)
        {
            w.Add(campaignParent is null ? $"{campaign} = {P(c)}" : $"({campaign} = {P(c)} OR {campaignParent} = {P(c)})");
        }
        return string.Concat(w.Select(x => " AND " + x));
    }

    public string KeysetAndLimit(string id) =>
        (After is { } a ? $" AND {id} > {P(a)}" : "") + $" ORDER BY {id}" + (Limit is { } l ? $" LIMIT {l.ToString(CultureInfo.InvariantCulture)}" : "");

    public string Day(string x) => Pg ? $"to_char({x} AT TIME ZONE 'UTC', 'YYYY-MM-DD')" : $"substr({x}, 1, 10)";
    public string Month(string x) => Pg ? $"to_char({x} AT TIME ZONE 'UTC', 'YYYY-MM')" : $"substr({x}, 1, 7)";
    public string Big(string x) => Pg ? $"CAST({x} AS bigint)" : x;
}
