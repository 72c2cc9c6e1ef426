using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Clients;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ClientConfiguration : IEntityTypeConfiguration<Client>
{
    public void Configure(EntityTypeBuilder<Client> b)
    {
        b.ToTable("Clients");
        b.HasKey(c => c.Id);
        b.Property(c => c.Phone).HasMaxLength(32).IsRequired();
        b.HasIndex(c => c.Phone).IsUnique();
        // Issue 18: a trainee's sandbox rows; partial, so the real rows (all but a few) cost nothing.
        b.Property(c => c.SandboxOwnerId).HasMaxLength(450);
        b.HasIndex(c => c.SandboxOwnerId).HasFilter("\"SandboxOwnerId\" IS NOT NULL");
        b.Property(c => c.ExternalId).HasMaxLength(64);
        b.HasIndex(c => c.ExternalId).IsUnique();
        b.Property(c => c.FirstName).HasMaxLength(100);
        b.Property(c => c.MiddleName).HasMaxLength(100);
        b.Property(c => c.LastName).HasMaxLength(100);
        b.Property(c => c.Language).HasMaxLength(8);
        b.Property(c => c.RegionCode).HasMaxLength(8);
        b.Property(c => c.City).HasMaxLength(100);
        b.Property(c => c.TimeZone).HasMaxLength(64);
        b.Property(c => c.OptOutReason).HasMaxLength(200);
        b.Property(c => c.Tariff).HasMaxLength(100);
        b.Property(c => c.Operator).HasMaxLength(32);
        b.Property(c => c.Balance).HasPrecision(18, 2);
        b.Property(c => c.TotalSpend).HasPrecision(18, 2);
        b.Property(c => c.LastPurchaseEventAmount).HasPrecision(18, 2);
        b.Property(c => c.MaxPurchaseEventAmount).HasPrecision(18, 2);
        b.Property(c => c.LastPaymentEventAmount).HasPrecision(18, 2);
        b.Property(c => c.MaxPaymentEventAmount).HasPrecision(18, 2);
        b.Ignore(c => c.PhoneNumber);

        // Consent is a value object: two fixed purposes, stored as columns so audience queries
        // need no join; the history lives in ConsentRecords.
        b.ComplexProperty(c => c.ServiceConsent, Consent("Service"));
        b.ComplexProperty(c => c.AdvertisingConsent, Consent("Advertising"));

        // Every index costs a bulk import of 1.9 M clients 4-6 s (measured, docs/BENCHMARKS.md), so only
        // selective lookups get one: the grid's name search. Audience conditions match large shares of
        // the base, where a scan beats an index. Issue 5 dropped the LastPurchaseAt/LastActivityAt
        // indexes: with correlated subqueries in a rule PostgreSQL costs every row's filter high and
        // then picked "LastPurchaseAt IS NOT NULL" by index, 1.5 M random heap reads (15 s instead of 6).
        b.HasIndex(c => c.LastName);
    }

    private static Action<ComplexPropertyBuilder<Consent>> Consent(string prefix) => c =>
    {
        c.Property(x => x.Granted).HasColumnName(prefix + "ConsentGranted");
        c.Property(x => x.ChangedAt).HasColumnName(prefix + "ConsentAt");
        c.Property(x => x.Source).HasColumnName(prefix + "ConsentSource").HasMaxLength(64);
        c.Property(x => x.Evidence).HasColumnName(prefix + "ConsentEvidence").HasMaxLength(500);
    };
}
