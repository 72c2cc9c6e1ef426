using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Providers;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class SmsProviderConfiguration : IEntityTypeConfiguration<SmsProvider>
{
    public void Configure(EntityTypeBuilder<SmsProvider> b)
    {
        b.ToTable("Providers");
        b.Property(p => p.Name).HasMaxLength(100).IsRequired();
        b.HasIndex(p => p.Name).IsUnique();
        b.Property(p => p.DefaultPartPrice).HasPrecision(18, 4);
    }
}
