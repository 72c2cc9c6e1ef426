using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Infrastructure.Persistence.Sqlite.Migrations
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
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Hash",
                table: "AuditEntries",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PrevHash",
                table: "AuditEntries",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "CallbackNonces",
                columns: table => new
                {
                    ProviderId = table.Column<int>(type: "INTEGER", nullable: false),
                    Nonce = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    ReceivedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CallbackNonces", x => new { x.ProviderId, x.Nonce });
                });

            migrationBuilder.CreateTable(
                name: "RetentionRuns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Succeeded = table.Column<bool>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    MessagePhones = table.Column<long>(type: "INTEGER", nullable: false),
                    InboundTexts = table.Column<long>(type: "INTEGER", nullable: false),
                    ImportErrors = table.Column<long>(type: "INTEGER", nullable: false),
                    SyncErrors = table.Column<long>(type: "INTEGER", nullable: false),
                    DeadLetters = table.Column<long>(type: "INTEGER", nullable: false),
                    AuditEntries = table.Column<long>(type: "INTEGER", nullable: false)
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
            migrationBuilder.Sql(Portal.Infrastructure.Audit.AuditChain.SqliteUp);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Portal.Infrastructure.Audit.AuditChain.SqliteDown);

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
