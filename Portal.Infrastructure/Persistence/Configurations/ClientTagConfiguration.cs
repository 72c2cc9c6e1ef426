using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Clients;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ClientTagConfiguration : IEntityTypeConfiguration<ClientTag>
{
    public void Configure(EntityTypeBuilder<ClientTag> b)
    {
        b.HasKey(t => new { t.ClientId, t.Tag });
        b.Property(t => t.Tag).HasMaxLength(64);
        b.HasOne<Client>().WithMany().HasForeignKey(t => t.ClientId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(t => t.Tag);
    }
}
