using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AudienceIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Messages_CampaignId_ClientId_Status",
                table: "Messages",
                columns: new[] { "CampaignId", "ClientId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Clients_City",
                table: "Clients",
                column: "City");

            migrationBuilder.CreateIndex(
                name: "IX_Clients_LastActivityAt",
                table: "Clients",
                column: "LastActivityAt");

            migrationBuilder.CreateIndex(
                name: "IX_Clients_Tariff",
                table: "Clients",
                column: "Tariff");

            migrationBuilder.CreateIndex(
                name: "IX_Clients_TotalSpend",
                table: "Clients",
                column: "TotalSpend");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Messages_CampaignId_ClientId_Status",
                table: "Messages");

            migrationBuilder.DropIndex(
                name: "IX_Clients_City",
                table: "Clients");

            migrationBuilder.DropIndex(
                name: "IX_Clients_LastActivityAt",
                table: "Clients");

            migrationBuilder.DropIndex(
                name: "IX_Clients_Tariff",
                table: "Clients");

            migrationBuilder.DropIndex(
                name: "IX_Clients_TotalSpend",
                table: "Clients");
        }
    }
}
