using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Integrations;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ApiKeyUsageConfiguration : IEntityTypeConfiguration<MessagesApi.ApiKeyUsage>
{
    public void Configure(EntityTypeBuilder<MessagesApi.ApiKeyUsage> b)
    {
        b.HasKey(u => new { u.ApiKeyId, u.Day });
        b.HasOne<ApiKey>().WithMany().HasForeignKey(u => u.ApiKeyId).OnDelete(DeleteBehavior.Cascade);
    }
}
