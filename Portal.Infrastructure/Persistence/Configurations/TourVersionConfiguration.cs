using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Tours;

namespace Portal.Infrastructure.Persistence.Configurations;

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
