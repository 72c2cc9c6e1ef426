using Microsoft.EntityFrameworkCore;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Architecture;

/// <summary>Issue 21: one EF Core configuration class per entity, in a file named after it.</summary>
public class EntityConfigurationTests
{
    [Fact]
    public async Task EveryPortalEntity_HasOneConfigurationClass_InAFileNamedAfterIt()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, migrate: false);
        await using var db = database.CreateContext();
        var entities = db.Model.GetEntityTypes()
            .Where(e => !e.IsOwned() && e.ClrType.Namespace?.StartsWith("Portal.", StringComparison.Ordinal) == true)
            .Select(e => e.ClrType)
            .ToList();
        var configurations = typeof(PortalDbContext).Assembly.GetTypes()
            .SelectMany(t => t.GetInterfaces()
                .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEntityTypeConfiguration<>))
                .Select(i => (Entity: i.GetGenericArguments()[0], Configuration: t)))
            .ToList();
        var folder = Path.Combine(TestEnvironment.RepoRoot, "Portal.Infrastructure", "Persistence", "Configurations");

        Assert.True(entities.Count >= 50, $"only {entities.Count} entities found");
        Assert.All(entities, entity =>
        {
            var mine = configurations.Where(c => c.Entity == entity).Select(c => c.Configuration).ToList();
            var configuration = Assert.Single(mine);
            Assert.Equal(entity.Name + "Configuration", configuration.Name);
            var file = Path.Combine(folder, configuration.Name + ".cs");
            Assert.True(File.Exists(file), $"{configuration.Name} is not in {file}");
            Assert.Single(File.ReadLines(file), l => l.Contains(" class ", StringComparison.Ordinal));
        });
        // And no configuration of something that is not an entity of the model.
        Assert.All(configurations, c => Assert.Contains(c.Entity, entities));
    }
}
