using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Messages;
using Portal.Domain.Providers;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> b)
    {
        b.Property(m => m.Phone).HasMaxLength(32).IsRequired();
        b.Property(m => m.ProviderMessageId).HasMaxLength(64);
        b.Property(m => m.ErrorCode).HasMaxLength(32);
        b.Property(m => m.Cost).HasPrecision(18, 4);
        b.HasOne<Campaign>().WithMany().HasForeignKey(m => m.CampaignId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Client>().WithMany().HasForeignKey(m => m.ClientId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<SmsProvider>().WithMany().HasForeignKey(m => m.ProviderId).OnDelete(DeleteBehavior.SetNull);
        // Issue 20: a campaign's page sums parts and cost by status and counts error codes; carrying
        // them makes both an index-only range scan (200 k messages on SQLite: 0.33 + 0.30 s -> 0.12 +
        // 0.05 s). It replaces (CampaignId, Status), a prefix of it, so the send path keeps the same
        // number of indexes; the sender and the receipt processor change Status in the same UPDATE
        // as Parts, Cost and ErrorCode, so the entry was rewritten anyway.
        b.HasIndex(m => new { m.CampaignId, m.Status, m.ErrorCode, m.Parts, m.Cost });
        // "Received / delivered in campaign X" audiences: the campaign's clients without a heap visit.
        b.HasIndex(m => new { m.CampaignId, m.ClientId, m.Status });
        b.HasIndex(m => new { m.ClientId, m.CreatedAt });
        b.HasIndex(m => new { m.ProviderId, m.ProviderMessageId });
        // The dashboard's time ranges. Partial: a queued message has neither time, so a 1.9 M-row
        // launch writes no entries here; the last 15 minutes are an index range scan. DoneAt carries
        // Status so "delivered per bucket" never visits the table. Issue 20: today's totals sum parts
        // and cost of the messages submitted today; carried here, the dashboard's first read is an
        // index-only range scan instead of a table visit per message.
        b.HasIndex(m => new { m.SubmittedAt, m.Parts, m.Cost }).HasFilter("\"SubmittedAt\" IS NOT NULL");
        b.HasIndex(m => new { m.DoneAt, m.Status }).HasFilter("\"DoneAt\" IS NOT NULL");
    }
}
