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
        // An import's row errors as CSV: row, column, reason. A reason can quote the cell (a bad phone), so the
        // file needs the personal-data permission, is audited, and erasure redacts quoted values.
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

        // The audit log for auditors (issue 14): the page's filter, streamed, formula-safe, and
        // itself audited. Includes the chain columns so an auditor can check entries offline.
        app.MapGet("/audit/export.csv", async (DateOnly? from, DateOnly? to, string? user, string? action, HttpContext context,
            PortalDbContext db, AuditLog audit) =>
        {
            var filter = new AuditFilter(from, to, user, action);
            context.Response.ContentType = "text/csv; charset=utf-8";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{from:yyyyMMdd}-{to:yyyyMMdd}.csv\"";
            await audit.WriteAsync(context.User, AuditActions.AuditExported, details: filter.ToQueryString().TrimStart('?'));
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
            var rows = filter.Apply(db.AuditEntries.AsNoTracking()).OrderBy(e => e.Id).AsAsyncEnumerable();
            await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(true));
            await writer.WriteLineAsync("id,at_utc,user_id,user,action,object,object_id,details,chain_seq,hash");
            await foreach (var e in rows.WithCancellation(context.RequestAborted))
            {
                await writer.WriteLineAsync(string.Join(',', e.Id, e.At.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                    CsvCell.Escape(e.UserId), CsvCell.Escape(e.UserName), CsvCell.Escape(e.Action), CsvCell.Escape(e.EntityType),
                    CsvCell.Escape(e.EntityId), CsvCell.Escape(e.Details), e.ChainSeq, e.Hash));
            }
        }).RequireAuthorization(Policies.AuditTrail);
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
        // Spreadsheets skip leading blanks before reading a formula, and some read the full-width
        // signs too (issue 14): the first character that is not a space decides.
        var trimmed = value.TrimStart(' ', '\u00A0', '\u3000');
        if (value[0] is '\t' or '\r' or '\n' || (trimmed.Length > 0 && trimmed[0] is '=' or '+' or '-' or '@' or '＝' or '＋' or '－' or '＠'))
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', ';', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
