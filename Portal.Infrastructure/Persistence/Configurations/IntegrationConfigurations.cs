using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Imports;
using Portal.Domain.Integrations;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class ImportJobConfiguration : IEntityTypeConfiguration<ImportJob>
{
    public void Configure(EntityTypeBuilder<ImportJob> b)
    {
        b.Property(j => j.FileName).HasMaxLength(255).IsRequired();
        b.Property(j => j.MappingJson).HasMaxLength(4000);
        b.Property(j => j.Error).HasMaxLength(1000);
        b.Property(j => j.CreatedBy).HasMaxLength(256);
        b.HasIndex(j => j.CreatedAt);
    }
}

internal sealed class ImportRowErrorConfiguration : IEntityTypeConfiguration<ImportRowError>
{
    public void Configure(EntityTypeBuilder<ImportRowError> b)
    {
        b.Property(e => e.Column).HasMaxLength(100);
        b.Property(e => e.Reason).HasMaxLength(500).IsRequired();
        b.HasOne<ImportJob>().WithMany().HasForeignKey(e => e.ImportJobId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => new { e.ImportJobId, e.Row });
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.Property(k => k.Name).HasMaxLength(100).IsRequired();
        b.Property(k => k.Prefix).HasMaxLength(16).IsRequired();
        b.HasIndex(k => k.Prefix).IsUnique();
        b.Property(k => k.SecretHash).HasMaxLength(128).IsRequired();
        b.Property(k => k.Scopes).HasMaxLength(200);
        b.Property(k => k.CreatedBy).HasMaxLength(256);
        b.Property(k => k.CallbackUrl).HasMaxLength(500);
        b.Property(k => k.CallbackSecret).HasMaxLength(1000);
    }
}

internal sealed class SyncSourceConfiguration : IEntityTypeConfiguration<SyncSource>
{
    public void Configure(EntityTypeBuilder<SyncSource> b)
    {
        b.Property(s => s.Name).HasMaxLength(100).IsRequired();
        b.HasIndex(s => s.Name).IsUnique();
        b.Property(s => s.Location).HasMaxLength(2000);
        b.Property(s => s.Query).HasMaxLength(8000);
        b.Property(s => s.WatermarkColumn).HasMaxLength(100);
        b.Property(s => s.Watermark).HasMaxLength(100);
        b.Property(s => s.Cron).HasMaxLength(100);
        b.Property(s => s.MappingJson).HasMaxLength(4000);
    }
}

internal sealed class SyncRunConfiguration : IEntityTypeConfiguration<SyncRun>
{
    public void Configure(EntityTypeBuilder<SyncRun> b)
    {
        b.Property(r => r.Error).HasMaxLength(1000);
        // No max length: text on both providers; SyncRun caps the entries and their length.
        b.Property(r => r.RowErrorsJson);
        b.HasOne<SyncSource>().WithMany().HasForeignKey(r => r.SourceId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(r => new { r.SourceId, r.StartedAt });
        // Issue 13: one unfinished run per source across all nodes; the second node's INSERT fails.
        b.HasIndex(r => r.SourceId).IsUnique().HasFilter("\"FinishedAt\" IS NULL").HasDatabaseName("IX_SyncRuns_SourceId_Running");
    }
}

internal sealed class ApiIdempotencyKeyConfiguration : IEntityTypeConfiguration<MessagesApi.ApiIdempotencyKey>
{
    public void Configure(EntityTypeBuilder<MessagesApi.ApiIdempotencyKey> b)
    {
        b.Property(k => k.Key).HasMaxLength(200).IsRequired();
        b.Property(k => k.RequestHash).HasMaxLength(64).IsRequired();
        // The idempotency guard itself (issue 19): a second insert of the same key fails.
        b.HasIndex(k => new { k.ApiKeyId, k.Key }).IsUnique();
        b.HasIndex(k => k.CreatedAt);
        b.HasOne<ApiKey>().WithMany().HasForeignKey(k => k.ApiKeyId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ApiKeyUsageConfiguration : IEntityTypeConfiguration<MessagesApi.ApiKeyUsage>
{
    public void Configure(EntityTypeBuilder<MessagesApi.ApiKeyUsage> b)
    {
        b.HasKey(u => new { u.ApiKeyId, u.Day });
        b.HasOne<ApiKey>().WithMany().HasForeignKey(u => u.ApiKeyId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class StatusCallbackConfiguration : IEntityTypeConfiguration<MessagesApi.StatusCallback>
{
    public void Configure(EntityTypeBuilder<MessagesApi.StatusCallback> b)
    {
        b.HasIndex(c => new { c.MessageId, c.Status }).IsUnique();
        b.Property(c => c.LastError).HasMaxLength(500);
        // The loop's query: pending ones due now.
        b.HasIndex(c => new { c.DeliveredAt, c.AbandonedAt, c.NextAttemptAt });
        b.HasOne<ApiKey>().WithMany().HasForeignKey(c => c.ApiKeyId).OnDelete(DeleteBehavior.Cascade);
    }
}
