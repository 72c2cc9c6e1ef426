using System.Text;

namespace Portal.Infrastructure.Importing;

/// <summary>
/// RFC 4180 rows from a text stream: quoted fields with doubled quotes and line breaks inside,
/// CRLF or LF. A quote that is never closed (at the end of the file, or before the row reaches its
/// limit) does not swallow the rest of the file (issue 20): its row is returned empty with
/// <see cref="QuoteNotClosed"/> at the line where it starts, and the lines after that row's first
/// line are read again as rows of their own. A single-line row with an open quote at the end of the
/// file is reported the same way.
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
    /// <summary>The last row returned opened a quote it never closed; its cells are empty and must not be used.</summary>
    public bool QuoteNotClosed { get; private set; }
    /// <summary>Some row had a quote that was never closed (<see cref="QuoteNotClosed"/>).</summary>
    public bool Unbalanced { get; private set; }
    // The raw characters of the current row (bounded by the row limit: a quoted row that goes over
    // it is rewound at that moment), and text given back to be read again after a rewind.
    private readonly StringBuilder _raw = new();
    private string _pending = "";
    private int _pendingAt;
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
            QuoteNotClosed = false;
            _raw.Clear();
            _rowChars = 0;
            var quoted = false;
            var fieldWasQuoted = false;
            int ch;
            while ((ch = Next()) != -1)
            {
                var c = (char)ch;
                if (quoted && TooLong && Rewind())
                {
                    return [];
                }
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (Peek() == '"')
                        {
                            Next();
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
                    if (c == '\r' && Peek() == '\n')
                    {
                        Next();
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
                if (Rewind())
                {
                    return [];
                }
                // An open quote on the last line: that row is the error, nothing after it is lost.
                QuoteNotClosed = true;
                _field.Clear();
                _row.Clear();
                return [];
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
            // A blank line (at the end of the input, the check above has already answered null).
            if (_row.Count == 1 && string.IsNullOrEmpty(_row[0]) && !fieldWasQuoted)
            {
                continue;
            }
            return [.. _row];
        }
    }

    private int Next()
    {
        int c;
        if (_pendingAt < _pending.Length)
        {
            c = _pending[_pendingAt++];
        }
        else
        {
            c = reader.Read();
        }
        if (c != -1 && _raw.Length <= 2L * maxRow + 16) // a doubled quote is two raw characters for one kept
        {
            _raw.Append((char)c);
        }
        return c;
    }

    private int Peek() => _pendingAt < _pending.Length ? _pending[_pendingAt] : reader.Peek();

    /// <summary>
    /// The row holds a quote that is not closed by the end of the file or of the row's limit: when
    /// it spans lines, gives back everything after the row's first line to be read again and marks
    /// the row <see cref="QuoteNotClosed"/>. False for a row on one line (nothing to give back).
    /// </summary>
    private bool Rewind()
    {
        var raw = _raw.ToString();
        var firstBreak = raw.IndexOf('\n');
        if (firstBreak < 0)
        {
            return false;
        }
        _pending = string.Concat(raw.AsSpan(firstBreak + 1), _pending.AsSpan(_pendingAt));
        _pendingAt = 0;
        _line = RowStartLine + 1;
        Unbalanced = QuoteNotClosed = true;
        _field.Clear();
        _row.Clear();
        return true;
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
