using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class SenderNodeConfiguration : IEntityTypeConfiguration<Providers.SenderNode>
{
    public void Configure(EntityTypeBuilder<Providers.SenderNode> b)
    {
        b.Property(n => n.Id).HasMaxLength(64);
        b.HasIndex(n => n.LastSeenAt);
    }
}
