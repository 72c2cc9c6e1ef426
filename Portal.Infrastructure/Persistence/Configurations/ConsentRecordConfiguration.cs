using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Clients;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ConsentRecordConfiguration : IEntityTypeConfiguration<ConsentRecord>
{
    public void Configure(EntityTypeBuilder<ConsentRecord> b)
    {
        b.Property(r => r.Source).HasMaxLength(64).IsRequired();
        b.Property(r => r.Evidence).HasMaxLength(500);
        // No foreign key: an append-only evidence trail, and a bulk import of 1.9 M clients would
        // otherwise pay a referential check per record (30 s of a 1.9 M import on PostgreSQL).
        b.HasIndex(r => new { r.ClientId, r.At });
    }
}
