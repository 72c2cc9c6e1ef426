using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Integrations;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class SyncRunConfiguration : IEntityTypeConfiguration<SyncRun>
{
    public void Configure(EntityTypeBuilder<SyncRun> b)
    {
        b.Property(r => r.Error).HasMaxLength(1000);
        // No max length: text on both providers; SyncRun caps the entries and their length.
        b.Property(r => r.RowErrorsJson);
        b.HasOne<SyncSource>().WithMany().HasForeignKey(r => r.SourceId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(r => new { r.SourceId, r.StartedAt });
        // Issue 13: one unfinished run per source across all nodes; the second node's INSERT fails.
        b.HasIndex(r => r.SourceId).IsUnique().HasFilter("\"FinishedAt\" IS NULL").HasDatabaseName("IX_SyncRuns_SourceId_Running");
    }
}
