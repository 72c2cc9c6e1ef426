using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Messages;
using Portal.Domain.Providers;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class MessagePartConfiguration : IEntityTypeConfiguration<MessagePart>
{
    public void Configure(EntityTypeBuilder<MessagePart> b)
    {
        b.HasKey(p => new { p.MessageId, p.PartIndex });
        b.Property(p => p.PartIndex).ValueGeneratedNever();
        b.Property(p => p.ProviderMessageId).HasMaxLength(64).IsRequired();
        b.HasOne<Message>().WithMany().HasForeignKey(p => p.MessageId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<SmsProvider>().WithMany().HasForeignKey(p => p.ProviderId).OnDelete(DeleteBehavior.Cascade);
        // Receipts look parts up by the provider's id, as they do messages.
        b.HasIndex(p => new { p.ProviderId, p.ProviderMessageId });
    }
}
