using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Tours;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class TourProgressConfiguration : IEntityTypeConfiguration<TourProgress>
{
    public void Configure(EntityTypeBuilder<TourProgress> b)
    {
        b.HasKey(p => new { p.UserId, p.TourId });
        b.Property(p => p.UserId).HasMaxLength(64);
        b.HasOne<Tour>().WithMany().HasForeignKey(p => p.TourId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(p => new { p.TourId, p.Status });
    }
}
