using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Issue13SyncOnce : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Runs a crash left unfinished would break the unique index: closed as abandoned.
            migrationBuilder.Sql("UPDATE \"SyncRuns\" SET \"FinishedAt\" = \"StartedAt\", \"Error\" = 'Abandoned: unfinished when Portal was upgraded.' WHERE \"FinishedAt\" IS NULL;");
            migrationBuilder.CreateIndex(
                name: "IX_SyncRuns_SourceId_Running",
                table: "SyncRuns",
                column: "SourceId",
                unique: true,
                filter: "\"FinishedAt\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SyncRuns_SourceId_Running",
                table: "SyncRuns");
        }
    }
}
