using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Providers;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class PriceListEntryConfiguration : IEntityTypeConfiguration<PriceListEntry>
{
    public void Configure(EntityTypeBuilder<PriceListEntry> b)
    {
        b.Property(e => e.Operator).HasMaxLength(50);
        b.Property(e => e.Prefix).HasMaxLength(15);
        b.Property(e => e.Currency).HasMaxLength(3).IsRequired();
        b.Property(e => e.PricePerPart).HasPrecision(18, 4);
        b.Ignore(e => e.Destination);
        b.HasOne<SmsProvider>().WithMany().HasForeignKey(e => e.ProviderId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => new { e.ProviderId, e.Operator, e.Prefix, e.ValidFrom });
    }
}
