using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Departments;
using Portal.Domain.Segments;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class SegmentConfiguration : IEntityTypeConfiguration<Segment>
{
    public void Configure(EntityTypeBuilder<Segment> b)
    {
        b.Property(s => s.Name).HasMaxLength(200).IsRequired();
        b.Property(s => s.CreatedBy).HasMaxLength(256);
        // Issue 18: a trainee's sandbox rows; partial, so the real rows (all but a few) cost nothing.
        b.Property(s => s.SandboxOwnerId).HasMaxLength(450);
        b.HasIndex(s => s.SandboxOwnerId).HasFilter("\"SandboxOwnerId\" IS NOT NULL");
        b.HasOne<Department>().WithMany().HasForeignKey(s => s.DepartmentId).OnDelete(DeleteBehavior.SetNull);
    }
}
