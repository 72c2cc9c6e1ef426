using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Clients;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ClientEventConfiguration : IEntityTypeConfiguration<ClientEvent>
{
    public void Configure(EntityTypeBuilder<ClientEvent> b)
    {
        b.Property(e => e.Name).HasMaxLength(100);
        b.Property(e => e.Amount).HasPrecision(18, 2);
        b.HasOne<Client>().WithMany().HasForeignKey(e => e.ClientId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => new { e.ClientId, e.Type, e.OccurredAt });
        b.HasIndex(e => new { e.Type, e.OccurredAt });
        b.Property(e => e.Source).HasMaxLength(ClientEvent.MaxSourceLength);
        b.Property(e => e.EventKey).HasMaxLength(ClientEvent.MaxEventKeyLength);
        // Issue 20: the idempotency key. Unique in the database, so two nodes inserting the same
        // event at once cannot both succeed; partial, so unkeyed events cost no index entry.
        b.HasIndex(e => new { e.Source, e.EventKey }).IsUnique().HasFilter("\"EventKey\" IS NOT NULL");
    }
}
