using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Departments;
using Portal.Domain.Templates;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class MessageTemplateConfiguration : IEntityTypeConfiguration<MessageTemplate>
{
    public void Configure(EntityTypeBuilder<MessageTemplate> b)
    {
        b.ToTable("Templates");
        b.Property(t => t.Name).HasMaxLength(200).IsRequired();
        b.Property(t => t.Body).HasMaxLength(5000).IsRequired();
        b.Property(t => t.CreatedBy).HasMaxLength(256);
        // Issue 18: a trainee's sandbox rows; partial, so the real rows (all but a few) cost nothing.
        b.Property(t => t.SandboxOwnerId).HasMaxLength(450);
        b.HasIndex(t => t.SandboxOwnerId).HasFilter("\"SandboxOwnerId\" IS NOT NULL");
        b.HasOne<Department>().WithMany().HasForeignKey(t => t.DepartmentId).OnDelete(DeleteBehavior.SetNull);
    }
}
