using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Providers;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class PriceListEntryConfiguration : IEntityTypeConfiguration<PriceListEntry>
{
    public void Configure(EntityTypeBuilder<PriceListEntry> b)
    {
        b.Property(e => e.Operator).HasMaxLength(50);
        b.Property(e => e.Prefix).HasMaxLength(15);
        b.Property(e => e.Currency).HasMaxLength(3).IsRequired();
        b.Property(e => e.PricePerPart).HasPrecision(18, 4);
        b.Ignore(e => e.Destination);
        b.HasOne<SmsProvider>().WithMany().HasForeignKey(e => e.ProviderId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => new { e.ProviderId, e.Operator, e.Prefix, e.ValidFrom });
    }
}

internal sealed class SenderNodeConfiguration : IEntityTypeConfiguration<Providers.SenderNode>
{
    public void Configure(EntityTypeBuilder<Providers.SenderNode> b)
    {
        b.Property(n => n.Id).HasMaxLength(64);
        b.HasIndex(n => n.LastSeenAt);
    }
}

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

internal sealed class CallbackNonceConfiguration : IEntityTypeConfiguration<Providers.CallbackNonce>
{
    public void Configure(EntityTypeBuilder<Providers.CallbackNonce> b)
    {
        b.HasKey(n => new { n.ProviderId, n.Nonce });
        b.Property(n => n.Nonce).HasMaxLength(100);
        b.HasIndex(n => n.ReceivedAt);
    }
}
