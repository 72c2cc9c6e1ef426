using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Issue16ExportFiringAndFiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ExportFiles",
                table: "RetentionRuns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "FiringAt",
                table: "BiExports",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_BiExports_DefinitionId_FiringAt_Attempt",
                table: "BiExports",
                columns: new[] { "DefinitionId", "FiringAt", "Attempt" },
                unique: true,
                filter: "\"FiringAt\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_BiExports_DefinitionId_FiringAt_Attempt",
                table: "BiExports");

            migrationBuilder.DropColumn(
                name: "ExportFiles",
                table: "RetentionRuns");

            migrationBuilder.DropColumn(
                name: "FiringAt",
                table: "BiExports");
        }
    }
}
