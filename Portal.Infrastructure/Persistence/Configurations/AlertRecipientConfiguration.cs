using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Alerts;
using Portal.Domain.Messages;
using Portal.Domain.Staff;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class AlertRecipientConfiguration : IEntityTypeConfiguration<AlertRecipient>
{
    public void Configure(EntityTypeBuilder<AlertRecipient> b)
    {
        b.Property(r => r.Phone).HasMaxLength(32).IsRequired();
        b.HasOne<Alert>().WithMany().HasForeignKey(r => r.AlertId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Employee>().WithMany().HasForeignKey(r => r.EmployeeId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Message>().WithMany().HasForeignKey(r => r.MessageId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(r => new { r.AlertId, r.Level });
        // Replies: the sender's open alerts.
        b.HasIndex(r => new { r.Phone, r.AckedAt });
        // The loop's scan for deferred (quiet hours) recipients.
        b.HasIndex(r => new { r.MessageId, r.SendAfter });
    }
}
