using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Infrastructure.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Issue15ResultsBasePart : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "BaseCellsJson",
                table: "CampaignResultSnapshots",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTime>(
                name: "BaseComputedAt",
                table: "CampaignResultSnapshots",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<string>(
                name: "BaseStamp",
                table: "CampaignResultSnapshots",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "BaseCellsJson",
                table: "CampaignResultSnapshots");

            migrationBuilder.DropColumn(
                name: "BaseComputedAt",
                table: "CampaignResultSnapshots");

            migrationBuilder.DropColumn(
                name: "BaseStamp",
                table: "CampaignResultSnapshots");
        }
    }
}
