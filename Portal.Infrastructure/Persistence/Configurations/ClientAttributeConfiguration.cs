using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Clients;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ClientAttributeConfiguration : IEntityTypeConfiguration<ClientAttribute>
{
    public void Configure(EntityTypeBuilder<ClientAttribute> b)
    {
        b.HasKey(a => new { a.ClientId, a.DefinitionId });
        b.Property(a => a.Text).HasMaxLength(500);
        b.Property(a => a.Number).HasPrecision(18, 4);
        b.HasOne<Client>().WithMany().HasForeignKey(a => a.ClientId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AttributeDefinition>().WithMany().HasForeignKey(a => a.DefinitionId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(a => new { a.DefinitionId, a.Number });
        b.HasIndex(a => new { a.DefinitionId, a.Date });
        b.HasIndex(a => new { a.DefinitionId, a.Text });
    }
}
