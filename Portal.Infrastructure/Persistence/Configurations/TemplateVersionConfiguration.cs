using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Templates;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class TemplateVersionConfiguration : IEntityTypeConfiguration<TemplateVersion>
{
    public void Configure(EntityTypeBuilder<TemplateVersion> b)
    {
        b.Property(v => v.Body).HasMaxLength(5000).IsRequired();
        b.Property(v => v.CreatedBy).HasMaxLength(256);
        b.HasOne<MessageTemplate>().WithMany().HasForeignKey(v => v.TemplateId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(v => new { v.TemplateId, v.Version }).IsUnique();
    }
}
