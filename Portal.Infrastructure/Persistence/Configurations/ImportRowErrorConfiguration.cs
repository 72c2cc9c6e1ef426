using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Imports;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ImportRowErrorConfiguration : IEntityTypeConfiguration<ImportRowError>
{
    public void Configure(EntityTypeBuilder<ImportRowError> b)
    {
        b.Property(e => e.Column).HasMaxLength(100);
        b.Property(e => e.Reason).HasMaxLength(500).IsRequired();
        b.HasOne<ImportJob>().WithMany().HasForeignKey(e => e.ImportJobId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => new { e.ImportJobId, e.Row });
    }
}
