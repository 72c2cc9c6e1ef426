using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Infrastructure.Bi;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class BiSecretConfiguration : IEntityTypeConfiguration<BiSecret>
{
    public void Configure(EntityTypeBuilder<BiSecret> b)
    {
        b.HasKey(s => s.Name);
        b.Property(s => s.Name).HasMaxLength(64);
        b.Property(s => s.ProtectedValue).HasMaxLength(2000).IsRequired();
    }
}
