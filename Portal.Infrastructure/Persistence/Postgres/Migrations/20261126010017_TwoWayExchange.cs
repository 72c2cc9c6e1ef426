using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Portal.Infrastructure.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class TwoWayExchange : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_InboundMessages_ProviderId",
                table: "InboundMessages");

            migrationBuilder.AddColumn<long>(
                name: "DeliveredParts",
                table: "Messages",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "AutoReply",
                table: "InboundMessages",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ExternalId",
                table: "InboundMessages",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ReadAt",
                table: "InboundMessages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AutoReplyRules",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Keyword = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    Reply = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AutoReplyRules", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ReceiptOrphans",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ProviderId = table.Column<int>(type: "integer", nullable: false),
                    ProviderMessageId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    ErrorCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    DoneAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ReceivedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReceiptOrphans", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReceiptOrphans_Providers_ProviderId",
                        column: x => x.ProviderId,
                        principalTable: "Providers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InboundMessages_ProviderId_ExternalId",
                table: "InboundMessages",
                columns: new[] { "ProviderId", "ExternalId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AutoReplyRules_Keyword",
                table: "AutoReplyRules",
                column: "Keyword",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ReceiptOrphans_ProviderId_ProviderMessageId",
                table: "ReceiptOrphans",
                columns: new[] { "ProviderId", "ProviderMessageId" });

            migrationBuilder.CreateIndex(
                name: "IX_ReceiptOrphans_ReceivedAt",
                table: "ReceiptOrphans",
                column: "ReceivedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AutoReplyRules");

            migrationBuilder.DropTable(
                name: "ReceiptOrphans");

            migrationBuilder.DropIndex(
                name: "IX_InboundMessages_ProviderId_ExternalId",
                table: "InboundMessages");

            migrationBuilder.DropColumn(
                name: "DeliveredParts",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "AutoReply",
                table: "InboundMessages");

            migrationBuilder.DropColumn(
                name: "ExternalId",
                table: "InboundMessages");

            migrationBuilder.DropColumn(
                name: "ReadAt",
                table: "InboundMessages");

            migrationBuilder.CreateIndex(
                name: "IX_InboundMessages_ProviderId",
                table: "InboundMessages",
                column: "ProviderId");
        }
    }
}
