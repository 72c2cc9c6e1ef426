using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Tours;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class TourAssignmentConfiguration : IEntityTypeConfiguration<TourAssignment>
{
    public void Configure(EntityTypeBuilder<TourAssignment> b)
    {
        b.Property(a => a.Role).HasMaxLength(64);
        b.Property(a => a.UserId).HasMaxLength(64);
        b.Property(a => a.AssignedBy).HasMaxLength(256);
        b.HasOne<Tour>().WithMany().HasForeignKey(a => a.TourId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(a => a.TourId);
    }
}
