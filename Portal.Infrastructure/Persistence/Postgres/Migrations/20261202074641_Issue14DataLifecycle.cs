using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Portal.Infrastructure.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Issue14DataLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ChainSeq",
                table: "AuditEntries",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Hash",
                table: "AuditEntries",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PrevHash",
                table: "AuditEntries",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "CallbackNonces",
                columns: table => new
                {
                    ProviderId = table.Column<int>(type: "integer", nullable: false),
                    Nonce = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    ReceivedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CallbackNonces", x => new { x.ProviderId, x.Nonce });
                });

            migrationBuilder.CreateTable(
                name: "RetentionRuns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Succeeded = table.Column<bool>(type: "boolean", nullable: false),
                    Error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    MessagePhones = table.Column<long>(type: "bigint", nullable: false),
                    InboundTexts = table.Column<long>(type: "bigint", nullable: false),
                    ImportErrors = table.Column<long>(type: "bigint", nullable: false),
                    SyncErrors = table.Column<long>(type: "bigint", nullable: false),
                    DeadLetters = table.Column<long>(type: "bigint", nullable: false),
                    AuditEntries = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RetentionRuns", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InboundMessages_From",
                table: "InboundMessages",
                column: "From");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_ChainSeq",
                table: "AuditEntries",
                column: "ChainSeq",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CallbackNonces_ReceivedAt",
                table: "CallbackNonces",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_RetentionRuns_StartedAt",
                table: "RetentionRuns",
                column: "StartedAt");

            // The audit log's hash chain and append-only guard (issue 14, docs/security.md).
            migrationBuilder.Sql(Portal.Infrastructure.Audit.AuditChain.PostgresUp);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Portal.Infrastructure.Audit.AuditChain.PostgresDown);

            migrationBuilder.DropTable(
                name: "CallbackNonces");

            migrationBuilder.DropTable(
                name: "RetentionRuns");

            migrationBuilder.DropIndex(
                name: "IX_InboundMessages_From",
                table: "InboundMessages");

            migrationBuilder.DropIndex(
                name: "IX_AuditEntries_ChainSeq",
                table: "AuditEntries");

            migrationBuilder.DropColumn(
                name: "ChainSeq",
                table: "AuditEntries");

            migrationBuilder.DropColumn(
                name: "Hash",
                table: "AuditEntries");

            migrationBuilder.DropColumn(
                name: "PrevHash",
                table: "AuditEntries");
        }
    }
}
