using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Infrastructure.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class TrainingSandbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SandboxOwnerId",
                table: "Templates",
                type: "character varying(450)",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SandboxOwnerId",
                table: "Segments",
                type: "character varying(450)",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SandboxOwnerId",
                table: "Clients",
                type: "character varying(450)",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SandboxOwnerId",
                table: "Campaigns",
                type: "character varying(450)",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "SandboxMode",
                table: "AspNetUsers",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateIndex(
                name: "IX_Templates_SandboxOwnerId",
                table: "Templates",
                column: "SandboxOwnerId",
                filter: "\"SandboxOwnerId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Segments_SandboxOwnerId",
                table: "Segments",
                column: "SandboxOwnerId",
                filter: "\"SandboxOwnerId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Clients_SandboxOwnerId",
                table: "Clients",
                column: "SandboxOwnerId",
                filter: "\"SandboxOwnerId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Campaigns_SandboxOwnerId",
                table: "Campaigns",
                column: "SandboxOwnerId",
                filter: "\"SandboxOwnerId\" IS NOT NULL");

            // Issue 18: the bi views leave training-sandbox rows out, like the file exports.
            migrationBuilder.Sql(Portal.Infrastructure.Bi.BiViews.ViewsSql(sandboxExcluded: true));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Portal.Infrastructure.Bi.BiViews.ViewsSql(sandboxExcluded: false));

            migrationBuilder.DropIndex(
                name: "IX_Templates_SandboxOwnerId",
                table: "Templates");

            migrationBuilder.DropIndex(
                name: "IX_Segments_SandboxOwnerId",
                table: "Segments");

            migrationBuilder.DropIndex(
                name: "IX_Clients_SandboxOwnerId",
                table: "Clients");

            migrationBuilder.DropIndex(
                name: "IX_Campaigns_SandboxOwnerId",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "SandboxOwnerId",
                table: "Templates");

            migrationBuilder.DropColumn(
                name: "SandboxOwnerId",
                table: "Segments");

            migrationBuilder.DropColumn(
                name: "SandboxOwnerId",
                table: "Clients");

            migrationBuilder.DropColumn(
                name: "SandboxOwnerId",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "SandboxMode",
                table: "AspNetUsers");
        }
    }
}
