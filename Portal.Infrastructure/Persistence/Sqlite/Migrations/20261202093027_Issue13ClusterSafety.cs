using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Issue13ClusterSafety : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Campaigns_ParentCampaignId",
                table: "Campaigns");

            migrationBuilder.AddColumn<DateTime>(
                name: "FiringAt",
                table: "Campaigns",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Campaigns_ParentCampaignId_FiringAt",
                table: "Campaigns",
                columns: new[] { "ParentCampaignId", "FiringAt" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Campaigns_ParentCampaignId_FiringAt",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "FiringAt",
                table: "Campaigns");

            migrationBuilder.CreateIndex(
                name: "IX_Campaigns_ParentCampaignId",
                table: "Campaigns",
                column: "ParentCampaignId");
        }
    }
}
