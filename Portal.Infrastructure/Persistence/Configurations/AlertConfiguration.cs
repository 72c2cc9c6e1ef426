using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Alerts;
using Portal.Domain.Staff;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> b)
    {
        b.Property(a => a.Text).HasMaxLength(Alert.MaxTextLength * 2).IsRequired();
        b.Property(a => a.Code).HasMaxLength(8).IsRequired();
        b.Property(a => a.GroupIds).HasMaxLength(2000).IsRequired();
        b.Property(a => a.Initiator).HasMaxLength(256).IsRequired();
        b.Property(a => a.IdempotencyKey).HasMaxLength(200);
        b.Property(a => a.Outcome).HasMaxLength(200);
        b.HasOne<EscalationChain>().WithMany().HasForeignKey(a => a.ChainId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Portal.Domain.Integrations.ApiKey>().WithMany().HasForeignKey(a => a.ApiKeyId).OnDelete(DeleteBehavior.SetNull);
        // The guard that a monitoring system's retry never pages twice (NULLs, UI alerts, do not collide).
        b.HasIndex(a => new { a.ApiKeyId, a.IdempotencyKey }).IsUnique();
        // The escalation loop's scan: open alerts whose deadline passed.
        b.HasIndex(a => new { a.State, a.NextEscalationAt });
        b.HasIndex(a => a.CreatedAt);
    }
}
