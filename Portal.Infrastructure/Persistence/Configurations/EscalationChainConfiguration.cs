using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Staff;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class EscalationChainConfiguration : IEntityTypeConfiguration<EscalationChain>
{
    public void Configure(EntityTypeBuilder<EscalationChain> b)
    {
        b.Property(c => c.Name).HasMaxLength(100).IsRequired();
        b.HasIndex(c => c.Name).IsUnique();
        b.HasMany(c => c.Levels).WithOne().HasForeignKey(l => l.ChainId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(c => c.Levels).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}
