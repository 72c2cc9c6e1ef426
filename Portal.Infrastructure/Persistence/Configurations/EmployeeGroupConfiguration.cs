using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Staff;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class EmployeeGroupConfiguration : IEntityTypeConfiguration<EmployeeGroup>
{
    public void Configure(EntityTypeBuilder<EmployeeGroup> b)
    {
        b.Property(g => g.Name).HasMaxLength(100).IsRequired();
        b.Property(g => g.RuleValue).HasMaxLength(100);
        b.HasIndex(g => g.Name).IsUnique();
    }
}
