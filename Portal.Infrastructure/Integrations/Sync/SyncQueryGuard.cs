using System.Text;

namespace Portal.Infrastructure.Integrations.Sync;

/// <summary>
/// What a scheduled sync may run against a source database (issue 14): exactly one SELECT (or
/// WITH … SELECT, VALUES, TABLE) statement. The READ ONLY transaction around it stays, but a second
/// statement could end that transaction (COMMIT, then anything), switch it (SET TRANSACTION READ
/// WRITE) or leave it, so the text is lexed like PostgreSQL does — string constants ('…', E'…'),
/// dollar quotes ($tag$…$tag$), quoted identifiers and both comment styles are skipped — and any
/// semicolon or transaction/session/DDL/DML keyword outside them refuses the query. Functions that
/// change settings or reach other databases and files are refused by name. The real boundary is a
/// read-only database role for the sync (docs/security.md); this is the second one.
/// </summary>
public static class SyncQueryGuard
{
    private static readonly HashSet<string> FirstWords = new(StringComparer.OrdinalIgnoreCase) { "SELECT", "WITH", "VALUES", "TABLE" };

    // Words no single read-only SELECT needs. One statement already keeps COMMIT or SET TRANSACTION
    // from standing on their own; these also catch data-modifying CTEs and SELECT INTO. Words that
    // are plausible column names (start, end, comment, call, lock) are left out: a false refusal of
    // a valid query is the cost of every extra word.
    private static readonly HashSet<string> DeniedWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "COMMIT", "ROLLBACK", "ABORT", "BEGIN", "SAVEPOINT", "PREPARE", "EXECUTE", "DEALLOCATE", "SET", "RESET", "TRANSACTION",
        "DISCARD", "LISTEN", "NOTIFY", "UNLISTEN", "INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "CREATE", "ALTER", "DROP",
        "GRANT", "REVOKE", "VACUUM", "REINDEX", "CHECKPOINT", "INTO",
    };

    private static readonly string[] DeniedFunctions =
    [
        "set_config", "dblink", "lo_", "pg_read", "pg_ls_", "pg_stat_file", "pg_file", "pg_terminate_backend", "pg_cancel_backend",
        "pg_reload_conf", "pg_rotate_logfile", "pg_promote", "pg_sleep", "pg_advisory", "pg_notify", "query_to_xml", "query_to_json",
        "pg_logical", "pg_replication", "pg_switch_wal", "pg_backup", "pg_create", "pg_drop",
    ];

    /// <summary>Null when the query may run, else why not (shown to the administrator).</summary>
    public static string? Check(string query)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return "The query is empty.";
        }
        var words = new List<string>();
        var i = 0;
        var ended = false;
        while (i < query.Length)
        {
            var c = query[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && At(query, i + 1, '-'))
            {
                while (i < query.Length && query[i] != '\n') i++;
            }
            else if (c == '/' && At(query, i + 1, '*'))
            {
                var depth = 0;
                do
                {
                    if (query[i] == '/' && At(query, i + 1, '*')) { depth++; i += 2; }
                    else if (query[i] == '*' && At(query, i + 1, '/')) { depth--; i += 2; }
                    else i++;
                }
                while (depth > 0 && i < query.Length);
                if (depth > 0) return "A /* comment is never closed.";
            }
            else if (ended)
            {
                return "Only one statement is allowed: nothing may follow the ';'.";
            }
            else if (c == ';')
            {
                ended = true;
                i++;
            }
            else if (c == '\'' )
            {
                var escapes = i > 0 && (query[i - 1] is 'e' or 'E') && (i < 2 || !IsWordChar(query[i - 2]));
                if (!SkipQuoted(query, ref i, '\'', escapes)) return "A string constant is never closed.";
            }
            else if (c == '"')
            {
                if (!SkipQuoted(query, ref i, '"', false)) return "A quoted identifier is never closed.";
            }
            else if (c == '$' && DollarTag(query, i) is { } tag)
            {
                var end = query.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                if (end < 0) return "A dollar-quoted string is never closed.";
                i = end + tag.Length;
            }
            else if (IsWordChar(c))
            {
                var start = i;
                while (i < query.Length && (IsWordChar(query[i]) || query[i] == '$')) i++;
                words.Add(query[start..i]);
            }
            else
            {
                i++;
            }
        }
        if (words.Count == 0 || !FirstWords.Contains(words[0]))
        {
            return "The query must be a single SELECT (or WITH … SELECT) statement.";
        }
        if (words.FirstOrDefault(DeniedWords.Contains) is { } denied)
        {
            return $"'{denied.ToUpperInvariant()}' is not allowed in a sync query: it must only read.";
        }
        if (words.FirstOrDefault(w => DeniedFunctions.Any(f => w.StartsWith(f, StringComparison.OrdinalIgnoreCase))) is { } function)
        {
            return $"'{function}' is not allowed in a sync query.";
        }
        return null;
    }

    private static bool At(string s, int i, char c) => i < s.Length && s[i] == c;

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    /// <summary>Moves past a quoted run; a doubled quote is one quote, a backslash escapes in E'…'.</summary>
    private static bool SkipQuoted(string s, ref int i, char quote, bool backslashEscapes)
    {
        i++;
        while (i < s.Length)
        {
            if (backslashEscapes && s[i] == '\\') { i += 2; continue; }
            if (s[i] == quote)
            {
                if (At(s, i + 1, quote)) { i += 2; continue; }
                i++;
                return true;
            }
            i++;
        }
        return false;
    }

    /// <summary>"$tag$" or "$$" starting at <paramref name="i"/> (not a positional parameter like $1).</summary>
    private static string? DollarTag(string s, int i)
    {
        if (i > 0 && IsWordChar(s[i - 1])) return null;
        var j = i + 1;
        var tag = new StringBuilder("$");
        while (j < s.Length && s[j] != '$')
        {
            if (!(char.IsLetter(s[j]) || s[j] == '_' || (j > i + 1 && char.IsDigit(s[j])))) return null;
            tag.Append(s[j]);
            j++;
        }
        return j < s.Length ? tag.Append('$').ToString() : null;
    }
}
