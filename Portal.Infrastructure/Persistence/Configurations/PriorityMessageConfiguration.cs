using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Messages;
using Portal.Domain.Providers;
using Portal.Domain.Templates;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class PriorityMessageConfiguration : IEntityTypeConfiguration<PriorityMessage>
{
    public void Configure(EntityTypeBuilder<PriorityMessage> b)
    {
        b.HasKey(p => p.MessageId);
        b.Property(p => p.MessageId).ValueGeneratedNever();
        b.Property(p => p.Text).HasMaxLength(PriorityMessage.MaxTextLength * 2).IsRequired();
        b.Property(p => p.SenderId).HasMaxLength(16).IsRequired();
        b.HasOne<Message>().WithOne().HasForeignKey<PriorityMessage>(p => p.MessageId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Portal.Domain.Integrations.ApiKey>().WithMany().HasForeignKey(p => p.ApiKeyId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<SmsProvider>().WithMany().HasForeignKey(p => p.ProviderId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<MessageTemplate>().WithMany().HasForeignKey(p => p.TemplateId).OnDelete(DeleteBehavior.SetNull);
    }
}
