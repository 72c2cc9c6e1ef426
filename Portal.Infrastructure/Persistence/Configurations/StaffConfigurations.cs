using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Alerts;
using Portal.Domain.Messages;
using Portal.Domain.Staff;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class EmployeeConfiguration : IEntityTypeConfiguration<Employee>
{
    public void Configure(EntityTypeBuilder<Employee> b)
    {
        b.Property(e => e.FullName).HasMaxLength(200).IsRequired();
        b.Property(e => e.Phone).HasMaxLength(32).IsRequired();
        b.Property(e => e.Email).HasMaxLength(200);
        b.Property(e => e.Department).HasMaxLength(100);
        b.Property(e => e.Position).HasMaxLength(100);
        b.Property(e => e.Location).HasMaxLength(100);
        b.Property(e => e.TimeZone).HasMaxLength(64);
        // Replies are matched by the sender's number: one seek.
        b.HasIndex(e => e.Phone);
        b.HasIndex(e => e.Department);
        b.HasIndex(e => e.Location);
    }
}

internal sealed class EmployeeGroupConfiguration : IEntityTypeConfiguration<EmployeeGroup>
{
    public void Configure(EntityTypeBuilder<EmployeeGroup> b)
    {
        b.Property(g => g.Name).HasMaxLength(100).IsRequired();
        b.Property(g => g.RuleValue).HasMaxLength(100);
        b.HasIndex(g => g.Name).IsUnique();
    }
}

internal sealed class EmployeeGroupMemberConfiguration : IEntityTypeConfiguration<EmployeeGroupMember>
{
    public void Configure(EntityTypeBuilder<EmployeeGroupMember> b)
    {
        b.HasKey(m => new { m.GroupId, m.EmployeeId });
        b.HasOne<EmployeeGroup>().WithMany().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Employee>().WithMany().HasForeignKey(m => m.EmployeeId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class EscalationChainConfiguration : IEntityTypeConfiguration<EscalationChain>
{
    public void Configure(EntityTypeBuilder<EscalationChain> b)
    {
        b.Property(c => c.Name).HasMaxLength(100).IsRequired();
        b.HasIndex(c => c.Name).IsUnique();
        b.HasMany(c => c.Levels).WithOne().HasForeignKey(l => l.ChainId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(c => c.Levels).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class EscalationLevelConfiguration : IEntityTypeConfiguration<EscalationLevel>
{
    public void Configure(EntityTypeBuilder<EscalationLevel> b)
    {
        b.Property(l => l.EmployeeIds).HasMaxLength(2000).IsRequired();
        b.Property(l => l.GroupIds).HasMaxLength(2000).IsRequired();
        b.Property(l => l.RosterIds).HasMaxLength(2000).IsRequired();
        b.Ignore(l => l.Employees);
        b.Ignore(l => l.Groups);
        b.Ignore(l => l.Rosters);
        b.HasIndex(l => new { l.ChainId, l.Number }).IsUnique();
    }
}

internal sealed class OnCallRosterConfiguration : IEntityTypeConfiguration<OnCallRoster>
{
    public void Configure(EntityTypeBuilder<OnCallRoster> b)
    {
        b.Property(r => r.Name).HasMaxLength(100).IsRequired();
        b.HasIndex(r => r.Name).IsUnique();
        b.Property(r => r.TimeZone).HasMaxLength(64).IsRequired();
        b.Property(r => r.Members).HasMaxLength(2000).IsRequired();
        b.Ignore(r => r.MemberIds);
    }
}

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
