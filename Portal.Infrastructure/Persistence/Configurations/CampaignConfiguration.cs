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
        b.Property(c => c.ApprovedBy).HasMaxLength(256);
        b.Property(c => c.ApprovedAudience).HasMaxLength(1000);
        b.Property(c => c.ApprovedCost).HasPrecision(18, 4);
        b.HasOne<Campaign>().WithMany().HasForeignKey(c => c.ParentCampaignId).OnDelete(DeleteBehavior.Restrict);
        b.Property(c => c.CreatedBy).HasMaxLength(256);
        b.Property(c => c.FailureReason).HasMaxLength(1000);
        // Issue 18: a trainee's sandbox rows; partial, so the real rows (all but a few) cost nothing.
        b.Property(c => c.SandboxOwnerId).HasMaxLength(450);
        b.HasIndex(c => c.SandboxOwnerId).HasFilter("\"SandboxOwnerId\" IS NOT NULL");
        b.Ignore(c => c.Goal);
        b.HasOne<Department>().WithMany().HasForeignKey(c => c.DepartmentId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(c => new { c.Status, c.ScheduledAt });
        // Issue 21: the settings are one value, stored in the campaign's own row under the column
        // names they had as separate properties (an owned type, not a complex type: EF Core 10 has
        // no foreign keys on complex properties, and the segment, template and provider need theirs).
        b.OwnsOne(c => c.Settings, s =>
        {
            s.Property(x => x.SenderId).HasMaxLength(16);
            s.Property(x => x.Body).HasMaxLength(5000).IsRequired();
            s.Property(x => x.Cron).HasMaxLength(120);
            s.Property(x => x.GoalMinAmount).HasPrecision(18, 2);
            s.Ignore(x => x.Goal);
            s.HasOne<SmsProvider>().WithMany().HasForeignKey(x => x.ProviderId).OnDelete(DeleteBehavior.SetNull);
            s.HasOne<Segment>().WithMany().HasForeignKey(x => x.SegmentId).OnDelete(DeleteBehavior.Restrict);
            s.HasOne<MessageTemplate>().WithMany().HasForeignKey(x => x.TemplateId).OnDelete(DeleteBehavior.Restrict);
            foreach (var property in s.OwnedEntityType.GetDeclaredProperties().Where(p => !p.IsShadowProperty()))
            {
                property.SetColumnName(property.Name);
            }
        });
        b.Navigation(c => c.Settings).IsRequired();
        // One run per firing of a recurring campaign across nodes (issue 13, ADR 0006). Runs made
        // before the column existed have no firing time; NULLs never collide on either provider.
        b.HasIndex(c => new { c.ParentCampaignId, c.FiringAt }).IsUnique();
    }
}
