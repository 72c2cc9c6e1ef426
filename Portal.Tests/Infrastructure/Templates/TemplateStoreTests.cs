using Portal.Domain.Templates;
using Portal.Infrastructure.Persistence;
using Portal.Infrastructure.Templates;
using Portal.Tests.Support;

namespace Portal.Tests.Infrastructure.Templates;

public class TemplateStoreTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task EverySavedChange_KeepsAVersion_AndRestoreMakesANewOne(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var store = new TemplateStore(database.Factory, new TemplateEngine(), new Portal.Infrastructure.Audit.AuditLog(database.Factory, TimeProvider.System), TimeProvider.System);

        var (id, v1) = await store.SaveAsync(null, "Welcome", "Hello {{ client.first_name }}", null, "anna", default);
        var (_, v2) = await store.SaveAsync(id, "Welcome", "Hi {{ client.first_name }}!", null, "boris", default);
        var (_, same) = await store.SaveAsync(id, "Welcome (renamed)", "Hi {{ client.first_name }}!", null, "boris", default);

        Assert.Equal((1, 2, 2), (v1, v2, same));
        var versions = await store.VersionsAsync(id, default);
        Assert.Equal([2, 1], versions.Select(v => v.Version));
        Assert.Equal("Hello {{ client.first_name }}", versions[1].Body);
        Assert.Equal("anna", versions[1].CreatedBy);

        var (_, v3) = await store.RestoreAsync(id, 1, "clara", default);
        Assert.Equal(3, v3);
        var template = await store.FindAsync(id, default);
        Assert.Equal(("Hello {{ client.first_name }}", "Welcome (renamed)"), (template!.Body, template.Name));
        Assert.Equal([3, 2, 1], (await store.VersionsAsync(id, default)).Select(v => v.Version));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task BrokenText_IsRefused_AndNothingChanges(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var store = new TemplateStore(database.Factory, new TemplateEngine(), new Portal.Infrastructure.Audit.AuditLog(database.Factory, TimeProvider.System), TimeProvider.System);
        var (id, _) = await store.SaveAsync(null, "Welcome", "Hello", null, "anna", default);

        var e = await Assert.ThrowsAsync<TemplateSyntaxException>(() => store.SaveAsync(id, "Welcome", "Hello {% if %}", null, "anna", default));

        Assert.Equal(1, e.Line);
        Assert.Equal("Hello", (await store.FindAsync(id, default))!.Body);
        Assert.Single(await store.VersionsAsync(id, default));
    }
}
