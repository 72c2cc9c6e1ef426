using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Staff;

namespace Portal.Infrastructure.Persistence.Configurations;

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
