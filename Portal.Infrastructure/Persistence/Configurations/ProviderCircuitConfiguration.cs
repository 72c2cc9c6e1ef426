using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Providers;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ProviderCircuitConfiguration : IEntityTypeConfiguration<Providers.ProviderCircuit>
{
    public void Configure(EntityTypeBuilder<Providers.ProviderCircuit> b)
    {
        b.HasKey(c => c.ProviderId);
        b.Property(c => c.ProviderId).ValueGeneratedNever();
        b.Property(c => c.NodeId).HasMaxLength(64);
        b.Property(c => c.Reason).HasMaxLength(200);
        b.HasOne<SmsProvider>().WithMany().HasForeignKey(c => c.ProviderId).OnDelete(DeleteBehavior.Cascade);
    }
}
