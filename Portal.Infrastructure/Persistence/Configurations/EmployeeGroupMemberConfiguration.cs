using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Staff;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class EmployeeGroupMemberConfiguration : IEntityTypeConfiguration<EmployeeGroupMember>
{
    public void Configure(EntityTypeBuilder<EmployeeGroupMember> b)
    {
        b.HasKey(m => new { m.GroupId, m.EmployeeId });
        b.HasOne<EmployeeGroup>().WithMany().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Employee>().WithMany().HasForeignKey(m => m.EmployeeId).OnDelete(DeleteBehavior.Cascade);
    }
}
