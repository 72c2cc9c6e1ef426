using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Clients;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class AttributeDefinitionConfiguration : IEntityTypeConfiguration<AttributeDefinition>
{
    public void Configure(EntityTypeBuilder<AttributeDefinition> b)
    {
        b.Property(d => d.Key).HasMaxLength(64).IsRequired();
        b.HasIndex(d => d.Key).IsUnique();
        b.Property(d => d.Label).HasMaxLength(200);
    }
}
