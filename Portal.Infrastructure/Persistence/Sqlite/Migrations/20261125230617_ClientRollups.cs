using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Infrastructure.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ClientRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Clients_LastActivityAt",
                table: "Clients");

            migrationBuilder.DropIndex(
                name: "IX_Clients_LastPurchaseAt",
                table: "Clients");

            migrationBuilder.AddColumn<DateTime>(
                name: "LastLoginEventAt",
                table: "Clients",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "LastPaymentEventAmount",
                table: "Clients",
                type: "REAL",
                precision: 18,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastPaymentEventAt",
                table: "Clients",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "LastPurchaseEventAmount",
                table: "Clients",
                type: "REAL",
                precision: 18,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastPurchaseEventAt",
                table: "Clients",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastVisitEventAt",
                table: "Clients",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "MaxPaymentEventAmount",
                table: "Clients",
                type: "REAL",
                precision: 18,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "MaxPurchaseEventAmount",
                table: "Clients",
                type: "REAL",
                precision: 18,
                scale: 2,
                nullable: true);

            // Back-fill from the events already stored (ClientEventRollups keeps them current from here on).
            migrationBuilder.Sql(Portal.Infrastructure.Clients.ClientEventRollups.AllClientsSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "LastLoginEventAt",
                table: "Clients");

            migrationBuilder.DropColumn(
                name: "LastPaymentEventAmount",
                table: "Clients");

            migrationBuilder.DropColumn(
                name: "LastPaymentEventAt",
                table: "Clients");

            migrationBuilder.DropColumn(
                name: "LastPurchaseEventAmount",
                table: "Clients");

            migrationBuilder.DropColumn(
                name: "LastPurchaseEventAt",
                table: "Clients");

            migrationBuilder.DropColumn(
                name: "LastVisitEventAt",
                table: "Clients");

            migrationBuilder.DropColumn(
                name: "MaxPaymentEventAmount",
                table: "Clients");

            migrationBuilder.DropColumn(
                name: "MaxPurchaseEventAmount",
                table: "Clients");

            migrationBuilder.CreateIndex(
                name: "IX_Clients_LastActivityAt",
                table: "Clients",
                column: "LastActivityAt");

            migrationBuilder.CreateIndex(
                name: "IX_Clients_LastPurchaseAt",
                table: "Clients",
                column: "LastPurchaseAt");
        }
    }
}
