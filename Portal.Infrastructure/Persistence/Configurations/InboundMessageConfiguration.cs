using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Providers;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class InboundMessageConfiguration : IEntityTypeConfiguration<InboundMessage>
{
    public void Configure(EntityTypeBuilder<InboundMessage> b)
    {
        b.Property(m => m.From).HasMaxLength(32).IsRequired();
        b.Property(m => m.To).HasMaxLength(32).IsRequired();
        b.Property(m => m.Text).HasMaxLength(2000).IsRequired();
        b.HasOne<SmsProvider>().WithMany().HasForeignKey(m => m.ProviderId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Client>().WithMany().HasForeignKey(m => m.ClientId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Message>().WithMany().HasForeignKey(m => m.MessageId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Campaign>().WithMany().HasForeignKey(m => m.CampaignId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(m => m.ReceivedAt);
        b.HasIndex(m => new { m.CampaignId, m.ClientId });
        b.HasIndex(m => m.ClientId);
        // Erasure finds replies of numbers that matched no client by sender (issue 14).
        b.HasIndex(m => m.From);
        b.Property(m => m.ExternalId).HasMaxLength(100);
        b.Property(m => m.AutoReply).HasMaxLength(1000);
        b.HasIndex(m => new { m.ProviderId, m.ExternalId }).IsUnique();
    }
}
