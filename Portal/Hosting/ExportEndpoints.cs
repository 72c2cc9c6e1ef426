using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Identity;
using Portal.Infrastructure.Audit;
using Portal.Infrastructure.Persistence;

namespace Portal.Hosting;

internal static class ExportEndpoints
{
    public static void MapExportEndpoints(this WebApplication app)
    {
        // An import's row errors as CSV: row, column, reason (never the cell values).
        app.MapGet("/clients/import/{jobId:int}/errors.csv", async (int jobId, HttpContext context, PortalDbContext db, AuditLog audit) =>
        {
            var rows = db.ImportRowErrors.AsNoTracking().Where(e => e.ImportJobId == jobId).OrderBy(e => e.Row).ThenBy(e => e.Id)
                .Select(e => new { e.Row, e.Column, e.Reason }).AsAsyncEnumerable();
            context.Response.ContentType = "text/csv; charset=utf-8";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"import-{jobId}-errors.csv\"";
            await audit.WriteAsync(context.User, AuditActions.PersonalDataExported, "ImportJob", jobId.ToString(), "error report");
            await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(true));
            await writer.WriteLineAsync("row,column,reason");
            await foreach (var e in rows)
            {
                await writer.WriteLineAsync($"{e.Row},{CsvCell.Escape(e.Column)},{CsvCell.Escape(e.Reason)}");
            }
        }).RequireAuthorization(Policies.PersonalData);
    }
}

/// <summary>
/// One CSV cell, quoted when needed and defused: a cell starting with = + - @ (or tab/CR) would run
/// as a formula in Excel (CSV injection), so it gets a leading apostrophe.
/// </summary>
public static class CsvCell
{
    public static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', ';', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
