using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Clients;
using Portal.Domain.Segments;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class StaticListMemberConfiguration : IEntityTypeConfiguration<StaticListMember>
{
    public void Configure(EntityTypeBuilder<StaticListMember> b)
    {
        b.HasKey(m => new { m.ListId, m.ClientId });
        b.HasOne<StaticList>().WithMany().HasForeignKey(m => m.ListId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Client>().WithMany().HasForeignKey(m => m.ClientId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(m => m.ClientId);
    }
}
