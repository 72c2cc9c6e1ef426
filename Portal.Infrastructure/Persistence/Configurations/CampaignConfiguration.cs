using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Campaigns;
using Portal.Domain.Departments;
using Portal.Domain.Providers;
using Portal.Domain.Segments;
using Portal.Domain.Templates;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class CampaignConfiguration : IEntityTypeConfiguration<Campaign>
{
    public void Configure(EntityTypeBuilder<Campaign> b)
    {
        b.Property(c => c.Name).HasMaxLength(200).IsRequired();
        b.Property(c => c.SenderId).HasMaxLength(16);
        b.Property(c => c.Body).HasMaxLength(5000);
        b.Property(c => c.Cron).HasMaxLength(120);
        b.Property(c => c.ApprovedBy).HasMaxLength(256);
        b.Property(c => c.ApprovedAudience).HasMaxLength(1000);
        b.Property(c => c.ApprovedCost).HasPrecision(18, 4);
        b.HasOne<Campaign>().WithMany().HasForeignKey(c => c.ParentCampaignId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<SmsProvider>().WithMany().HasForeignKey(c => c.ProviderId).OnDelete(DeleteBehavior.SetNull);
        b.Property(c => c.CreatedBy).HasMaxLength(256);
        b.Property(c => c.FailureReason).HasMaxLength(1000);
        // Issue 18: a trainee's sandbox rows; partial, so the real rows (all but a few) cost nothing.
        b.Property(c => c.SandboxOwnerId).HasMaxLength(450);
        b.HasIndex(c => c.SandboxOwnerId).HasFilter("\"SandboxOwnerId\" IS NOT NULL");
        b.Property(c => c.GoalMinAmount).HasPrecision(18, 2);
        b.Ignore(c => c.Goal);
        b.HasOne<Department>().WithMany().HasForeignKey(c => c.DepartmentId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Segment>().WithMany().HasForeignKey(c => c.SegmentId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<MessageTemplate>().WithMany().HasForeignKey(c => c.TemplateId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(c => new { c.Status, c.ScheduledAt });
        // One run per firing of a recurring campaign across nodes (issue 13, ADR 0006). Runs made
        // before the column existed have no firing time; NULLs never collide on either provider.
        b.HasIndex(c => new { c.ParentCampaignId, c.FiringAt }).IsUnique();
    }
}
