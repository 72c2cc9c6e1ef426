using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Integrations;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class SyncSourceConfiguration : IEntityTypeConfiguration<SyncSource>
{
    public void Configure(EntityTypeBuilder<SyncSource> b)
    {
        b.Property(s => s.Name).HasMaxLength(100).IsRequired();
        b.HasIndex(s => s.Name).IsUnique();
        b.Property(s => s.Location).HasMaxLength(2000);
        b.Property(s => s.Query).HasMaxLength(8000);
        b.Property(s => s.WatermarkColumn).HasMaxLength(100);
        b.Property(s => s.Watermark).HasMaxLength(100);
        b.Property(s => s.Cron).HasMaxLength(100);
        b.Property(s => s.MappingJson).HasMaxLength(4000);
    }
}
