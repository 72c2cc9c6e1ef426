using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Analytics;
using Portal.Domain.Campaigns;

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
