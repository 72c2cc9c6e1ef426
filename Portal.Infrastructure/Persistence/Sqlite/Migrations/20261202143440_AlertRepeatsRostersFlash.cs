using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AlertRepeatsRostersFlash : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Flash",
                table: "PriorityMessages",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "RepeatIntervalSeconds",
                table: "EscalationLevels",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Repeats",
                table: "EscalationLevels",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Required",
                table: "EscalationLevels",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "RequiredCount",
                table: "EscalationLevels",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<string>(
                name: "RosterIds",
                table: "EscalationLevels",
                type: "TEXT",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<bool>(
                name: "Flash",
                table: "Alerts",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "Repeats",
                table: "Alerts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "GroupId",
                table: "AlertRecipients",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Round",
                table: "AlertRecipients",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "OnCallRosters",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    TimeZone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    HandoverMinute = table.Column<int>(type: "INTEGER", nullable: false),
                    ShiftDays = table.Column<int>(type: "INTEGER", nullable: false),
                    StartDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Members = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OnCallRosters", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OnCallRosters_Name",
                table: "OnCallRosters",
                column: "Name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OnCallRosters");

            migrationBuilder.DropColumn(
                name: "Flash",
                table: "PriorityMessages");

            migrationBuilder.DropColumn(
                name: "RepeatIntervalSeconds",
                table: "EscalationLevels");

            migrationBuilder.DropColumn(
                name: "Repeats",
                table: "EscalationLevels");

            migrationBuilder.DropColumn(
                name: "Required",
                table: "EscalationLevels");

            migrationBuilder.DropColumn(
                name: "RequiredCount",
                table: "EscalationLevels");

            migrationBuilder.DropColumn(
                name: "RosterIds",
                table: "EscalationLevels");

            migrationBuilder.DropColumn(
                name: "Flash",
                table: "Alerts");

            migrationBuilder.DropColumn(
                name: "Repeats",
                table: "Alerts");

            migrationBuilder.DropColumn(
                name: "GroupId",
                table: "AlertRecipients");

            migrationBuilder.DropColumn(
                name: "Round",
                table: "AlertRecipients");
        }
    }
}
