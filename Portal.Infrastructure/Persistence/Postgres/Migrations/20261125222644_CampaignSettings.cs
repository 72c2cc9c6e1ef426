using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Infrastructure.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class CampaignSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "ApprovedAt",
                table: "Campaigns",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ApprovedBy",
                table: "Campaigns",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Body",
                table: "Campaigns",
                type: "character varying(5000)",
                maxLength: 5000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "ControlGroupPercent",
                table: "Campaigns",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Cron",
                table: "Campaigns",
                type: "character varying(120)",
                maxLength: 120,
                nullable: true);

            migrationBuilder.AddColumn<List<int>>(
                name: "ExcludedSegmentIds",
                table: "Campaigns",
                type: "integer[]",
                nullable: false);

            migrationBuilder.AddColumn<int>(
                name: "ParentCampaignId",
                table: "Campaigns",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ProviderId",
                table: "Campaigns",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "QuietFromMinute",
                table: "Campaigns",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "QuietHoursEnabled",
                table: "Campaigns",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "QuietToMinute",
                table: "Campaigns",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "RecurrenceEndsAt",
                table: "Campaigns",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "RequiresApproval",
                table: "Campaigns",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "ScheduleKind",
                table: "Campaigns",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "SpeedLimit",
                table: "Campaigns",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ValidityHours",
                table: "Campaigns",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateIndex(
                name: "IX_Campaigns_ParentCampaignId",
                table: "Campaigns",
                column: "ParentCampaignId");

            migrationBuilder.CreateIndex(
                name: "IX_Campaigns_ProviderId",
                table: "Campaigns",
                column: "ProviderId");

            migrationBuilder.AddForeignKey(
                name: "FK_Campaigns_Campaigns_ParentCampaignId",
                table: "Campaigns",
                column: "ParentCampaignId",
                principalTable: "Campaigns",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_Campaigns_Providers_ProviderId",
                table: "Campaigns",
                column: "ProviderId",
                principalTable: "Providers",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Campaigns_Campaigns_ParentCampaignId",
                table: "Campaigns");

            migrationBuilder.DropForeignKey(
                name: "FK_Campaigns_Providers_ProviderId",
                table: "Campaigns");

            migrationBuilder.DropIndex(
                name: "IX_Campaigns_ParentCampaignId",
                table: "Campaigns");

            migrationBuilder.DropIndex(
                name: "IX_Campaigns_ProviderId",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "ApprovedAt",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "ApprovedBy",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "Body",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "ControlGroupPercent",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "Cron",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "ExcludedSegmentIds",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "ParentCampaignId",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "ProviderId",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "QuietFromMinute",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "QuietHoursEnabled",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "QuietToMinute",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "RecurrenceEndsAt",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "RequiresApproval",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "ScheduleKind",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "SpeedLimit",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "ValidityHours",
                table: "Campaigns");
        }
    }
}
