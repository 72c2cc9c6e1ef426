using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Issue20CoveringIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Messages_CampaignId_Status",
                table: "Messages");

            migrationBuilder.DropIndex(
                name: "IX_Messages_SubmittedAt",
                table: "Messages");

            migrationBuilder.CreateIndex(
                name: "IX_Messages_CampaignId_Status_ErrorCode_Parts_Cost",
                table: "Messages",
                columns: new[] { "CampaignId", "Status", "ErrorCode", "Parts", "Cost" });

            migrationBuilder.CreateIndex(
                name: "IX_Messages_SubmittedAt_Parts_Cost",
                table: "Messages",
                columns: new[] { "SubmittedAt", "Parts", "Cost" },
                filter: "\"SubmittedAt\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Messages_CampaignId_Status_ErrorCode_Parts_Cost",
                table: "Messages");

            migrationBuilder.DropIndex(
                name: "IX_Messages_SubmittedAt_Parts_Cost",
                table: "Messages");

            migrationBuilder.CreateIndex(
                name: "IX_Messages_CampaignId_Status",
                table: "Messages",
                columns: new[] { "CampaignId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Messages_SubmittedAt",
                table: "Messages",
                column: "SubmittedAt",
                filter: "\"SubmittedAt\" IS NOT NULL");
        }
    }
}
