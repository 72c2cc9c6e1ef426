using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Integrations;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ApiIdempotencyKeyConfiguration : IEntityTypeConfiguration<MessagesApi.ApiIdempotencyKey>
{
    public void Configure(EntityTypeBuilder<MessagesApi.ApiIdempotencyKey> b)
    {
        b.Property(k => k.Key).HasMaxLength(200).IsRequired();
        b.Property(k => k.RequestHash).HasMaxLength(64).IsRequired();
        // The idempotency guard itself (issue 19): a second insert of the same key fails.
        b.HasIndex(k => new { k.ApiKeyId, k.Key }).IsUnique();
        b.HasIndex(k => k.CreatedAt);
        b.HasOne<ApiKey>().WithMany().HasForeignKey(k => k.ApiKeyId).OnDelete(DeleteBehavior.Cascade);
    }
}
