using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Analytics;

namespace Portal.Infrastructure.Persistence.Configurations;

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
