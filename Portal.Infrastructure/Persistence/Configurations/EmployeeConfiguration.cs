using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
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
