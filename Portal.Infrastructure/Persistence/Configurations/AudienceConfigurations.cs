using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Campaigns;
using Portal.Domain.Clients;
using Portal.Domain.Departments;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Domain.Segments;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class StaticListConfiguration : IEntityTypeConfiguration<StaticList>
{
    public void Configure(EntityTypeBuilder<StaticList> b)
    {
        b.Property(l => l.Name).HasMaxLength(200).IsRequired();
        b.Property(l => l.CreatedBy).HasMaxLength(256);
        b.HasOne<Department>().WithMany().HasForeignKey(l => l.DepartmentId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class StaticListMemberConfiguration : IEntityTypeConfiguration<StaticListMember>
{
    public void Configure(EntityTypeBuilder<StaticListMember> b)
    {
        b.HasKey(m => new { m.ListId, m.ClientId });
        b.HasOne<StaticList>().WithMany().HasForeignKey(m => m.ListId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Client>().WithMany().HasForeignKey(m => m.ClientId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(m => m.ClientId);
    }
}

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

internal sealed class AutoReplyRuleConfiguration : IEntityTypeConfiguration<AutoReplyRule>
{
    public void Configure(EntityTypeBuilder<AutoReplyRule> b)
    {
        b.Property(r => r.Keyword).HasMaxLength(30).IsRequired();
        b.Property(r => r.Reply).HasMaxLength(1000).IsRequired();
        b.HasIndex(r => r.Keyword).IsUnique();
    }
}

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
