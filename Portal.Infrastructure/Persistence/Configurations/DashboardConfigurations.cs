using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Infrastructure.Dashboard;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ProviderNodeStatsConfiguration : IEntityTypeConfiguration<ProviderNodeStats>
{
    public void Configure(EntityTypeBuilder<ProviderNodeStats> b)
    {
        b.ToTable("ProviderNodeStats");
        b.HasKey(s => new { s.NodeId, s.ProviderId });
        b.Property(s => s.NodeId).HasMaxLength(200);
        b.HasOne<SmsProvider>().WithMany().HasForeignKey(s => s.ProviderId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(s => s.UpdatedAt);
    }
}

/// <summary>
/// The dashboard's time-range indexes on Messages (kept apart from MessageConfiguration, which the
/// pipeline owns). Partial: a queued message has neither time, so a 1.9 M-row launch writes no
/// entries here; the last 15 minutes are an index range scan. DoneAt carries Status so
/// "delivered per bucket" never visits the table; SubmittedAt carries Parts and Cost for today's totals.
/// </summary>
internal sealed class MessageDashboardIndexes : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> b)
    {
        // Issue 20: today's totals sum parts and cost of the messages submitted today; carried here,
        // the dashboard's first read is an index-only range scan instead of a table visit per message.
        b.HasIndex(m => new { m.SubmittedAt, m.Parts, m.Cost }).HasFilter("\"SubmittedAt\" IS NOT NULL");
        b.HasIndex(m => new { m.DoneAt, m.Status }).HasFilter("\"DoneAt\" IS NOT NULL");
    }
}
