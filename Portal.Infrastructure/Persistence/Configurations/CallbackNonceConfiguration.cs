using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class CallbackNonceConfiguration : IEntityTypeConfiguration<Providers.CallbackNonce>
{
    public void Configure(EntityTypeBuilder<Providers.CallbackNonce> b)
    {
        b.HasKey(n => new { n.ProviderId, n.Nonce });
        b.Property(n => n.Nonce).HasMaxLength(100);
        b.HasIndex(n => n.ReceivedAt);
    }
}
