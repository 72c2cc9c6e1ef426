using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Campaigns;
using Portal.Infrastructure.Analytics;

namespace Portal.Infrastructure.Persistence.Configurations;

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
