using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class RetentionRunConfiguration : IEntityTypeConfiguration<Portal.Domain.Retention.RetentionRun>
{
    public void Configure(EntityTypeBuilder<Portal.Domain.Retention.RetentionRun> b)
    {
        b.Property(r => r.Error).HasMaxLength(1000);
        b.HasIndex(r => r.StartedAt);
    }
}
