using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Messages;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class AutoReplyRuleConfiguration : IEntityTypeConfiguration<AutoReplyRule>
{
    public void Configure(EntityTypeBuilder<AutoReplyRule> b)
    {
        b.Property(r => r.Keyword).HasMaxLength(30).IsRequired();
        b.Property(r => r.Reply).HasMaxLength(1000).IsRequired();
        b.HasIndex(r => r.Keyword).IsUnique();
    }
}
