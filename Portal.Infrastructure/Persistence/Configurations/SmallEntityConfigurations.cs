using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Audit;
using Portal.Domain.Clients;
using Portal.Domain.Departments;
using Portal.Infrastructure.Identity;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class DepartmentConfiguration : IEntityTypeConfiguration<Department>
{
    public void Configure(EntityTypeBuilder<Department> b)
    {
        b.Property(d => d.Name).HasMaxLength(100).IsRequired();
        b.HasIndex(d => d.Name).IsUnique();
    }
}

internal sealed class PortalUserConfiguration : IEntityTypeConfiguration<PortalUser>
{
    public void Configure(EntityTypeBuilder<PortalUser> b)
    {
        b.Property(u => u.DisplayName).HasMaxLength(200);
        b.HasOne<Department>().WithMany().HasForeignKey(u => u.DepartmentId).OnDelete(DeleteBehavior.SetNull);
    }
}

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

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.Property(a => a.UserId).HasMaxLength(64);
        b.Property(a => a.UserName).HasMaxLength(256);
        b.Property(a => a.Action).HasMaxLength(64).IsRequired();
        b.Property(a => a.EntityType).HasMaxLength(64);
        b.Property(a => a.EntityId).HasMaxLength(64);
        b.Property(a => a.Details).HasMaxLength(2000);
        b.HasIndex(a => a.At);
        b.HasIndex(a => new { a.Action, a.At });
        // Written by the database's insert trigger only (docs/security.md, audit chain).
        b.Property(a => a.PrevHash).HasMaxLength(64);
        b.Property(a => a.Hash).HasMaxLength(64);
        b.HasIndex(a => a.ChainSeq).IsUnique();
        // Triggers on the table: EF must not rely on RETURNING for it (SQLite).
        b.ToTable(t => t.HasTrigger("audit_chain"));
    }
}

internal sealed class RetentionRunConfiguration : IEntityTypeConfiguration<Portal.Domain.Retention.RetentionRun>
{
    public void Configure(EntityTypeBuilder<Portal.Domain.Retention.RetentionRun> b)
    {
        b.Property(r => r.Error).HasMaxLength(1000);
        b.HasIndex(r => r.StartedAt);
    }
}
