using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Departments;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Domain.Segments;

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
