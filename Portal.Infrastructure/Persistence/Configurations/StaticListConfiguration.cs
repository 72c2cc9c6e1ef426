using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Departments;
using Portal.Domain.Segments;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class StaticListConfiguration : IEntityTypeConfiguration<StaticList>
{
    public void Configure(EntityTypeBuilder<StaticList> b)
    {
        b.Property(l => l.Name).HasMaxLength(200).IsRequired();
        b.Property(l => l.CreatedBy).HasMaxLength(256);
        b.HasOne<Department>().WithMany().HasForeignKey(l => l.DepartmentId).OnDelete(DeleteBehavior.SetNull);
    }
}
