using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Infrastructure.Bi;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class BiExportDefinitionConfiguration : IEntityTypeConfiguration<BiExportDefinition>
{
    public void Configure(EntityTypeBuilder<BiExportDefinition> b)
    {
        b.Property(d => d.Name).HasMaxLength(200).IsRequired();
        b.Property(d => d.Dataset).HasMaxLength(40).IsRequired();
        b.Property(d => d.Cron).HasMaxLength(120).IsRequired();
        b.Property(d => d.Destination).HasMaxLength(1000).IsRequired();
        b.Property(d => d.CreatedBy).HasMaxLength(256).IsRequired();
    }
}
