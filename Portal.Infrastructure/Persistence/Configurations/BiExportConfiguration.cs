using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Infrastructure.Bi;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class BiExportConfiguration : IEntityTypeConfiguration<BiExport>
{
    public void Configure(EntityTypeBuilder<BiExport> b)
    {
        b.Property(e => e.Dataset).HasMaxLength(40).IsRequired();
        b.Property(e => e.RequestedBy).HasMaxLength(256).IsRequired();
        b.Property(e => e.Sha256).HasMaxLength(64);
        b.Property(e => e.Location).HasMaxLength(1000);
        b.Property(e => e.Error).HasMaxLength(1000);
        b.Ignore(e => e.Filter);
        b.HasOne<BiExportDefinition>().WithMany().HasForeignKey(e => e.DefinitionId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => e.StartedAt);
        b.HasIndex(e => new { e.DefinitionId, e.StartedAt });
        // Once per firing across nodes (issue 16): every node's scheduler fires the same cron time,
        // the first to insert its attempt row runs it, the others find the row and stand down.
        b.HasIndex(e => new { e.DefinitionId, e.FiringAt, e.Attempt }).IsUnique().HasFilter("\"FiringAt\" IS NOT NULL");
    }
}
