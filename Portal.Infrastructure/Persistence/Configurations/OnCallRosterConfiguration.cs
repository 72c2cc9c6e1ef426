using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Staff;

namespace Portal.Infrastructure.Persistence.Configurations;

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
