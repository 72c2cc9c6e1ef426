using System.Text;

namespace Portal.Infrastructure.Importing;

/// <summary>
/// RFC 4180 rows from a text stream: quoted fields with doubled quotes and line breaks inside,
/// CRLF or LF. A quote left open at the end of the file is reported (<see cref="Unbalanced"/>), not thrown.
/// A field longer than <paramref name="maxField"/> or a row longer than <paramref name="maxRow"/>
/// characters is not kept (<see cref="TooLong"/>): the reader goes on to the row's end holding
/// nothing, so an unclosed quote or a file without line breaks costs no memory (issue 14).
/// </summary>
internal sealed class CsvRowReader(TextReader reader, char delimiter, int maxField = int.MaxValue, int maxRow = int.MaxValue)
{
    private readonly StringBuilder _field = new();
    private readonly List<string?> _row = [];

    /// <summary>Physical line number where the last row returned started (1-based).</summary>
    public int RowStartLine { get; private set; }
    public bool Unbalanced { get; private set; }
    /// <summary>The last row returned went over a limit; its cells are empty and must not be used.</summary>
    public bool TooLong { get; private set; }
    private int _line = 1;
    private int _rowChars;

    /// <summary>The next row, or null at the end of the file. Blank lines are skipped.</summary>
    public string?[]? Read()
    {
        while (true)
        {
            _row.Clear();
            _field.Clear();
            RowStartLine = _line;
            TooLong = false;
            _rowChars = 0;
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
                            Keep('"');
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
                        Keep(c);
                    }
                }
                else if (c == '"' && _field.Length == 0 && !fieldWasQuoted && !TooLong)
                {
                    quoted = fieldWasQuoted = true;
                }
                else if (c == delimiter)
                {
                    Count();
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
                    Keep(c);
                }
            }
            if (quoted)
            {
                Unbalanced = true;
            }
            if (ch == -1 && _row.Count == 0 && _field.Length == 0 && !fieldWasQuoted && !TooLong)
            {
                return null;
            }
            EndField(fieldWasQuoted);
            if (TooLong)
            {
                return [];
            }
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

    /// <summary>Appends a character unless the row is already over a limit.</summary>
    private void Keep(char c)
    {
        if (_field.Length >= maxField)
        {
            Overflow();
        }
        Count();
        if (!TooLong)
        {
            _field.Append(c);
        }
    }

    /// <summary>Counts a character of the row (delimiters included) against the row limit.</summary>
    private void Count()
    {
        if (!TooLong && ++_rowChars > maxRow)
        {
            Overflow();
        }
    }

    private void Overflow()
    {
        TooLong = true;
        _field.Clear();
        _row.Clear();
    }

    private void EndField(bool quoted)
    {
        if (TooLong)
        {
            _field.Clear();
            return;
        }
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
