using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Issue20DataIn : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "OverlapMinutes",
                table: "SyncSources",
                type: "INTEGER",
                nullable: false,
                defaultValue: 5); // issue 20: existing sources re-read 5 minutes too (Portal.Domain SyncSource.DefaultOverlapMinutes)

            migrationBuilder.AddColumn<string>(
                name: "EventKey",
                table: "ClientEvents",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Source",
                table: "ClientEvents",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_ClientEvents_Source_EventKey",
                table: "ClientEvents",
                columns: new[] { "Source", "EventKey" },
                unique: true,
                filter: "\"EventKey\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ClientEvents_Source_EventKey",
                table: "ClientEvents");

            migrationBuilder.DropColumn(
                name: "OverlapMinutes",
                table: "SyncSources");

            migrationBuilder.DropColumn(
                name: "EventKey",
                table: "ClientEvents");

            migrationBuilder.DropColumn(
                name: "Source",
                table: "ClientEvents");
        }
    }
}
