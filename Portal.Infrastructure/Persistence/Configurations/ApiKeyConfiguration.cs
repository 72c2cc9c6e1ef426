using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Integrations;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.Property(k => k.Name).HasMaxLength(100).IsRequired();
        b.Property(k => k.Prefix).HasMaxLength(16).IsRequired();
        b.HasIndex(k => k.Prefix).IsUnique();
        b.Property(k => k.SecretHash).HasMaxLength(128).IsRequired();
        b.Property(k => k.Scopes).HasMaxLength(200);
        b.Property(k => k.CreatedBy).HasMaxLength(256);
        b.Property(k => k.CallbackUrl).HasMaxLength(500);
        b.Property(k => k.CallbackSecret).HasMaxLength(1000);
    }
}
