using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Infrastructure.Analytics;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class AnalyticsWatermarkConfiguration : IEntityTypeConfiguration<AnalyticsWatermark>
{
    public void Configure(EntityTypeBuilder<AnalyticsWatermark> b)
    {
        b.ToTable("AnalyticsWatermarks");
        b.HasKey(w => w.Name);
        b.Property(w => w.Name).HasMaxLength(64);
        // Optimistic lock: two nodes that read the same batch cannot both move the watermark.
        b.Property(w => w.Value).IsConcurrencyToken();
    }
}
