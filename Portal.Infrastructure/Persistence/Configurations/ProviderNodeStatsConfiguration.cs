using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Providers;
using Portal.Infrastructure.Dashboard;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ProviderNodeStatsConfiguration : IEntityTypeConfiguration<ProviderNodeStats>
{
    public void Configure(EntityTypeBuilder<ProviderNodeStats> b)
    {
        b.ToTable("ProviderNodeStats");
        b.HasKey(s => new { s.NodeId, s.ProviderId });
        b.Property(s => s.NodeId).HasMaxLength(200);
        b.HasOne<SmsProvider>().WithMany().HasForeignKey(s => s.ProviderId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(s => s.UpdatedAt);
    }
}
