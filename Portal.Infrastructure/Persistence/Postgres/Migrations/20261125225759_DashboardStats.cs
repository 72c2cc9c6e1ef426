using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Infrastructure.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class DashboardStats : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ProviderNodeStats",
                columns: table => new
                {
                    NodeId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ProviderId = table.Column<int>(type: "integer", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    BindsUp = table.Column<int>(type: "integer", nullable: false),
                    BindsConfigured = table.Column<int>(type: "integer", nullable: false),
                    WindowInUse = table.Column<int>(type: "integer", nullable: false),
                    WindowSize = table.Column<int>(type: "integer", nullable: false),
                    SubmittedTotal = table.Column<long>(type: "bigint", nullable: false),
                    ErrorsTotal = table.Column<long>(type: "bigint", nullable: false),
                    ThrottledTotal = table.Column<long>(type: "bigint", nullable: false),
                    ReceiptsTotal = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProviderNodeStats", x => new { x.NodeId, x.ProviderId });
                    table.ForeignKey(
                        name: "FK_ProviderNodeStats_Providers_ProviderId",
                        column: x => x.ProviderId,
                        principalTable: "Providers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Messages_DoneAt_Status",
                table: "Messages",
                columns: new[] { "DoneAt", "Status" },
                filter: "\"DoneAt\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Messages_SubmittedAt",
                table: "Messages",
                column: "SubmittedAt",
                filter: "\"SubmittedAt\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_ProviderNodeStats_ProviderId",
                table: "ProviderNodeStats",
                column: "ProviderId");

            migrationBuilder.CreateIndex(
                name: "IX_ProviderNodeStats_UpdatedAt",
                table: "ProviderNodeStats",
                column: "UpdatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ProviderNodeStats");

            migrationBuilder.DropIndex(
                name: "IX_Messages_DoneAt_Status",
                table: "Messages");

            migrationBuilder.DropIndex(
                name: "IX_Messages_SubmittedAt",
                table: "Messages");
        }
    }
}
