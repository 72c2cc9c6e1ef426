using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Analytics;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Analytics;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ConversionConfiguration : IEntityTypeConfiguration<Conversion>
{
    public void Configure(EntityTypeBuilder<Conversion> b)
    {
        b.ToTable("Conversions");
        // One conversion per recipient and campaign; the key's prefix is the campaign's range.
        b.HasKey(c => new { c.CampaignId, c.ClientId });
        b.HasOne<Campaign>().WithMany().HasForeignKey(c => c.CampaignId).OnDelete(DeleteBehavior.Cascade);
        // The attribution job looks up a batch of clients' existing conversions.
        b.HasIndex(c => c.ClientId);
        b.HasIndex(c => c.ConvertedAt);
    }
}

internal sealed class ConversionDeltaConfiguration : IEntityTypeConfiguration<ConversionDelta>
{
    public void Configure(EntityTypeBuilder<ConversionDelta> b)
    {
        b.ToTable("ConversionDeltas");
        b.HasKey(d => d.Id);
        b.HasOne<Campaign>().WithMany().HasForeignKey(d => d.CampaignId).OnDelete(DeleteBehavior.Cascade);
        // A results read takes a campaign's changes after its kept mark: one index range.
        b.HasIndex(d => new { d.CampaignId, d.Id });
    }
}

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

internal sealed class CampaignResultSnapshotConfiguration : IEntityTypeConfiguration<CampaignResultSnapshot>
{
    public void Configure(EntityTypeBuilder<CampaignResultSnapshot> b)
    {
        b.ToTable("CampaignResultSnapshots");
        b.HasKey(s => s.CampaignId);
        b.Property(s => s.CampaignId).ValueGeneratedNever();
        b.Property(s => s.Stamp).HasMaxLength(200);
        b.Property(s => s.BaseStamp).HasMaxLength(100);
        b.HasOne<Campaign>().WithMany().HasForeignKey(s => s.CampaignId).OnDelete(DeleteBehavior.Cascade);
    }
}
