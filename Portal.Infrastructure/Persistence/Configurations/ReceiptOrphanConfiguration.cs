using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Messages;
using Portal.Domain.Providers;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ReceiptOrphanConfiguration : IEntityTypeConfiguration<ReceiptOrphan>
{
    public void Configure(EntityTypeBuilder<ReceiptOrphan> b)
    {
        b.Property(o => o.ProviderMessageId).HasMaxLength(64).IsRequired();
        b.Property(o => o.ErrorCode).HasMaxLength(32);
        b.HasOne<SmsProvider>().WithMany().HasForeignKey(o => o.ProviderId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(o => new { o.ProviderId, o.ProviderMessageId });
        b.HasIndex(o => o.ReceivedAt);
    }
}
