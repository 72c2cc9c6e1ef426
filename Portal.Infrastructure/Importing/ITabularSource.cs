namespace Portal.Infrastructure.Importing;

/// <summary>
/// Rows of text cells under a header, streamed: a CSV/XLSX file, a database query, a JSON feed.
/// <see cref="ClientImporter"/> reads any of them the same way.
/// </summary>
public interface ITabularSource
{
    IReadOnlyList<string> Headers { get; }

    /// <summary>The data rows, each aligned with <see cref="Headers"/>; read once.</summary>
    IEnumerable<string?[]> Rows();

    /// <summary>0..1, how much has been read; 0 when the source cannot tell.</summary>
    double Progress { get; }

    /// <summary>Rows that could not be read at all, with the reason, numbered as <see cref="CurrentRow"/> numbers rows.</summary>
    List<(int Row, string Reason)> BadRows { get; }

    /// <summary>
    /// The number of the row <see cref="Rows"/> last returned, as the source's owner knows it (a
    /// file: its line, header = row 1; a sync source: its position, from 1); 0 when the source
    /// cannot tell, and the importer counts rows after a header row.
    /// </summary>
    int CurrentRow => 0;
}
