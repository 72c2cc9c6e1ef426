using System.Data;
using Npgsql;
using NpgsqlTypes;

namespace Portal.Infrastructure.Integrations.Sync;

/// <summary>
/// Streams a source query's rows with a data reader (never loaded whole) inside a READ ONLY
/// transaction with a statement timeout, so a mistaken query cannot write to, or hang, the
/// other system. <c>@watermark</c> is bound as untyped text (NULL on the first run): PostgreSQL
/// infers its type from the query, e.g. <c>WHERE updated_at &gt; COALESCE(@watermark::timestamptz, '-infinity')</c>.
/// </summary>
public sealed class PostgresRowSource : SyncRowSource
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly NpgsqlDataReader _reader;
    private readonly int[] _ordinals;
    private readonly int? _watermarkOrdinal;

    private PostgresRowSource(IReadOnlyList<string> headers, NpgsqlConnection connection, NpgsqlTransaction transaction,
        NpgsqlDataReader reader, int[] ordinals, int? watermarkOrdinal) : base(headers)
    {
        (_connection, _transaction, _reader, _ordinals, _watermarkOrdinal) = (connection, transaction, reader, ordinals, watermarkOrdinal);
    }

    /// <exception cref="InvalidDataException">The query lacks a mapped column or the watermark column.</exception>
    public static async Task<PostgresRowSource> OpenAsync(string connectionString, string query, string? watermarkColumn, string? watermark,
        IReadOnlyList<string> columns, TimeSpan statementTimeout, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct);
            var transaction = await connection.BeginTransactionAsync(ct);
            await using (var set = new NpgsqlCommand(
                $"SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = {(long)statementTimeout.TotalMilliseconds}", connection, transaction))
            {
                await set.ExecuteNonQueryAsync(ct);
            }
            await using var command = new NpgsqlCommand(query, connection, transaction) { CommandTimeout = 0 };
            if (query.Contains("@watermark", StringComparison.OrdinalIgnoreCase))
            {
                command.Parameters.Add(new NpgsqlParameter("watermark", NpgsqlDbType.Unknown) { Value = (object?)watermark ?? DBNull.Value });
            }
            var reader = await command.ExecuteReaderAsync(CommandBehavior.Default, ct);
            var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            int Find(string column) =>
                names.FindIndex(n => n == column) is >= 0 and var exact ? exact
                : names.FindIndex(n => string.Equals(n, column, StringComparison.OrdinalIgnoreCase)) is >= 0 and var loose ? loose
                : throw new InvalidDataException($"The query returns no column '{column}' (it returns: {string.Join(", ", names)}).");
            var ordinals = columns.Select(Find).ToArray();
            int? watermarkOrdinal = string.IsNullOrWhiteSpace(watermarkColumn) ? null : Find(watermarkColumn);
            return new PostgresRowSource(columns, connection, transaction, reader, ordinals, watermarkOrdinal);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public override IEnumerable<string?[]> Rows()
    {
        while (_reader.Read())
        {
            RowsRead++;
            var cells = new string?[_ordinals.Length];
            for (var i = 0; i < _ordinals.Length; i++)
            {
                cells[i] = Cell(_reader.GetValue(_ordinals[i]));
            }
            if (_watermarkOrdinal is { } w && _reader.GetValue(w) is IComparable mark)
            {
                SeeWatermark(mark);
            }
            yield return cells;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync();
        await _transaction.DisposeAsync(); // rolls back: there is nothing to keep
        await _connection.DisposeAsync();
    }
}
