using System.Text.RegularExpressions;
using Portal.Domain.Integrations;

namespace Portal.Infrastructure.Integrations.Sync;

/// <summary>
/// Issue 20: the rejected rows of one run, the first <see cref="SyncRun.MaxRowErrors"/> kept for
/// its history. A run's rows are other systems' people, so a reason that quotes a cell (the
/// importer's "'+7916…' is not a valid phone number.") is replaced: the history says what was
/// wrong, never the value.
/// </summary>
internal sealed partial class SyncRowErrors
{
    public const string ValueHidden = "The value is not valid (not shown: it may be personal data).";

    private readonly List<SyncRowError> _kept = [];

    /// <summary>In row order; several errors of one row stay in the order found.</summary>
    public IReadOnlyList<SyncRowError> Kept => _kept.OrderBy(e => e.Row).ToList();

    public void Add(int row, string? column, string reason)
    {
        if (_kept.Count < SyncRun.MaxRowErrors)
        {
            _kept.Add(new SyncRowError(row, column, QuotesValue().IsMatch(reason) ? ValueHidden : reason));
        }
    }

    /// <summary>Portal's reasons quote a value between single quotes, and only a value.</summary>
    [GeneratedRegex("'[^']*'")]
    private static partial Regex QuotesValue();
}
