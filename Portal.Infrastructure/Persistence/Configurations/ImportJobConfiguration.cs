using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Imports;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ImportJobConfiguration : IEntityTypeConfiguration<ImportJob>
{
    public void Configure(EntityTypeBuilder<ImportJob> b)
    {
        b.Property(j => j.FileName).HasMaxLength(255).IsRequired();
        b.Property(j => j.MappingJson).HasMaxLength(4000);
        b.Property(j => j.Error).HasMaxLength(1000);
        b.Property(j => j.CreatedBy).HasMaxLength(256);
        b.HasIndex(j => j.CreatedAt);
    }
}
