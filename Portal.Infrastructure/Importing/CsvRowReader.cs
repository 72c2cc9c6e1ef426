using System.Text;

namespace Portal.Infrastructure.Importing;

/// <summary>
/// RFC 4180 rows from a text stream: quoted fields with doubled quotes and line breaks inside,
/// CRLF or LF. A quote left open at the end of the file is reported (<see cref="Unbalanced"/>), not thrown.
/// </summary>
internal sealed class CsvRowReader(TextReader reader, char delimiter)
{
    private readonly StringBuilder _field = new();
    private readonly List<string?> _row = [];

    /// <summary>Physical line number where the last row returned started (1-based).</summary>
    public int RowStartLine { get; private set; }
    public bool Unbalanced { get; private set; }
    private int _line = 1;

    /// <summary>The next row, or null at the end of the file. Blank lines are skipped.</summary>
    public string?[]? Read()
    {
        while (true)
        {
            _row.Clear();
            _field.Clear();
            RowStartLine = _line;
            var quoted = false;
            var fieldWasQuoted = false;
            int ch;
            while ((ch = reader.Read()) != -1)
            {
                var c = (char)ch;
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (reader.Peek() == '"')
                        {
                            reader.Read();
                            _field.Append('"');
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        if (c == '\n')
                        {
                            _line++;
                        }
                        _field.Append(c);
                    }
                }
                else if (c == '"' && _field.Length == 0 && !fieldWasQuoted)
                {
                    quoted = fieldWasQuoted = true;
                }
                else if (c == delimiter)
                {
                    EndField(fieldWasQuoted);
                    fieldWasQuoted = false;
                }
                else if (c == '\n' || c == '\r')
                {
                    if (c == '\r' && reader.Peek() == '\n')
                    {
                        reader.Read();
                    }
                    _line++;
                    break;
                }
                else
                {
                    _field.Append(c);
                }
            }
            if (quoted)
            {
                Unbalanced = true;
            }
            if (ch == -1 && _row.Count == 0 && _field.Length == 0 && !fieldWasQuoted)
            {
                return null;
            }
            EndField(fieldWasQuoted);
            if (_row.Count == 1 && string.IsNullOrEmpty(_row[0]) && !fieldWasQuoted)
            {
                if (ch == -1)
                {
                    return null;
                }
                continue;
            }
            return [.. _row];
        }
    }

    private void EndField(bool quoted)
    {
        _row.Add(_field.Length == 0 && !quoted ? null : _field.ToString());
        _field.Clear();
    }

    /// <summary>The delimiter that splits the header line into the most fields.</summary>
    public static char DetectDelimiter(string headerLine)
    {
        char[] candidates = [',', ';', '\t', '|'];
        return candidates.MaxBy(d => headerLine.Count(c => c == d));
    }
}
