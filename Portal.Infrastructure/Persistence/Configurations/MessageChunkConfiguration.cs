using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Campaigns;
using Portal.Domain.Messages;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class MessageChunkConfiguration : IEntityTypeConfiguration<MessageChunk>
{
    public void Configure(EntityTypeBuilder<MessageChunk> b)
    {
        b.ToTable("MessageChunks");
        b.HasOne<Campaign>().WithMany().HasForeignKey(c => c.CampaignId).OnDelete(DeleteBehavior.Cascade);
        // The sweeper looks for chunks left Created (a crash between commit and publish).
        b.HasIndex(c => new { c.CampaignId, c.Status });
    }
}
