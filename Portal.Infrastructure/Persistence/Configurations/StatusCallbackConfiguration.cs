using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Integrations;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class StatusCallbackConfiguration : IEntityTypeConfiguration<MessagesApi.StatusCallback>
{
    public void Configure(EntityTypeBuilder<MessagesApi.StatusCallback> b)
    {
        b.HasIndex(c => new { c.MessageId, c.Status }).IsUnique();
        b.Property(c => c.LastError).HasMaxLength(500);
        // The loop's query: pending ones due now.
        b.HasIndex(c => new { c.DeliveredAt, c.AbandonedAt, c.NextAttemptAt });
        b.HasOne<ApiKey>().WithMany().HasForeignKey(c => c.ApiKeyId).OnDelete(DeleteBehavior.Cascade);
    }
}
