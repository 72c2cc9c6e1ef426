using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Tours;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class TourConfiguration : IEntityTypeConfiguration<Tour>
{
    public void Configure(EntityTypeBuilder<Tour> b)
    {
        b.Property(t => t.Key).HasMaxLength(64).IsRequired();
        b.HasIndex(t => t.Key).IsUnique();
        b.Property(t => t.TitleEn).HasMaxLength(200).IsRequired();
        b.Property(t => t.TitleRu).HasMaxLength(200).IsRequired();
        b.Property(t => t.PublishedRoles).HasMaxLength(500);
        b.Property(t => t.PublishedUsers).HasMaxLength(4000);
        b.Ignore(t => t.Roles);
        b.Ignore(t => t.Users);
    }
}
