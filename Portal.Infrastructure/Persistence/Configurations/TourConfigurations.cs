using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Tours;

namespace Portal.Infrastructure.Persistence.Configurations;

internal sealed class TourConfiguration : IEntityTypeConfiguration<Tour>
{
    public void Configure(EntityTypeBuilder<Tour> b)
    {
        b.Property(t => t.Key).HasMaxLength(64).IsRequired();
        b.HasIndex(t => t.Key).IsUnique();
        b.Property(t => t.TitleEn).HasMaxLength(200).IsRequired();
        b.Property(t => t.TitleRu).HasMaxLength(200).IsRequired();
        b.Property(t => t.PublishedRoles).HasMaxLength(500);
        b.Property(t => t.PublishedUsers).HasMaxLength(4000);
        b.Ignore(t => t.Roles);
        b.Ignore(t => t.Users);
    }
}

internal sealed class TourVersionConfiguration : IEntityTypeConfiguration<TourVersion>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<TourVersion> b)
    {
        b.HasOne<Tour>().WithMany().HasForeignKey(v => v.TourId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(v => new { v.TourId, v.Version }).IsUnique();
        b.Property(v => v.CreatedBy).HasMaxLength(256);
        // The steps are read and written as a whole (a version is immutable), so one JSON text is
        // enough; parsed here at the boundary and passed as records everywhere else.
        b.Property(v => v.Steps)
            .HasConversion(
                steps => JsonSerializer.Serialize(steps, Json),
                text => JsonSerializer.Deserialize<List<TourStep>>(text, Json) ?? new List<TourStep>(),
                new ValueComparer<List<TourStep>>(
                    (a, c) => a!.SequenceEqual(c!),
                    s => s.Aggregate(0, (h, x) => HashCode.Combine(h, x.GetHashCode())),
                    s => s.ToList()))
            .IsRequired();
    }
}

internal sealed class TourProgressConfiguration : IEntityTypeConfiguration<TourProgress>
{
    public void Configure(EntityTypeBuilder<TourProgress> b)
    {
        b.HasKey(p => new { p.UserId, p.TourId });
        b.Property(p => p.UserId).HasMaxLength(64);
        b.HasOne<Tour>().WithMany().HasForeignKey(p => p.TourId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(p => new { p.TourId, p.Status });
    }
}

internal sealed class TourAssignmentConfiguration : IEntityTypeConfiguration<TourAssignment>
{
    public void Configure(EntityTypeBuilder<TourAssignment> b)
    {
        b.Property(a => a.Role).HasMaxLength(64);
        b.Property(a => a.UserId).HasMaxLength(64);
        b.Property(a => a.AssignedBy).HasMaxLength(256);
        b.HasOne<Tour>().WithMany().HasForeignKey(a => a.TourId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(a => a.TourId);
    }
}
