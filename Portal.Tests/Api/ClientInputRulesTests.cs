using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Clients;
using Portal.Domain.Common;
using Portal.Domain.Imports;
using Portal.Infrastructure.Persistence;

namespace Portal.Tests.Api;

/// <summary>
/// What the client API used to store wrongly or accept silently (issue 20, item 17): keypad letters
/// read as digits, <c>?atomic=1</c> meaning non-atomic, an unknown region with a silent Moscow time
/// zone, names counted in UTF-16 units and NUL or U+202E accepted.
/// </summary>
public class ClientInputRulesTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static object Item(string externalId, string phone = "+79161234567", string firstName = "Anna", string regionCode = "MOW") =>
        new { externalId, phone, firstName, regionCode };

    [Theory]
    [InlineData("+7 999 ABC 12 34")]
    [InlineData("8 (916) 123-45-6O")]
    [InlineData("+7 916 CALL NOW")]
    public void Phone_WithLetters_IsRefusedNotReadAsKeypadDigits(string typed)
    {
        Assert.False(PhoneNumber.TryParse(typed, out _, out var error));
        Assert.Contains("letters", error);
    }

    [Fact]
    public void PlainText_CountsCharactersNotUtf16Units_AndRefusesControls()
    {
        var emoji = string.Concat(Enumerable.Repeat("😀", 60));
        Assert.Equal(120, emoji.Length);
        Assert.Null(PlainText.Problem(emoji, 100));
        Assert.Equal("Longer than 100 characters.", PlainText.Problem(string.Concat(Enumerable.Repeat("😀", 101)), 100));
        Assert.Contains("U+0000", PlainText.Problem("An\0na", 100));
        Assert.Contains("U+202E", PlainText.Problem("Anna\u202Eavon", 100));
        Assert.Contains("U+2066", PlainText.Problem("\u2066Anna", 100));
        Assert.Null(PlainText.Problem("Анна-Мария О'Нил", 100));
    }

    [Fact]
    public void CsvImport_UsesTheSameTextRule()
    {
        var parser = new ClientRowParser([ClientField.Phone, ClientField.FirstName], ["phone", "first_name"], ImportMatch.Phone);
        var errors = new List<RowError>();
        parser.Parse(["+79161234567", "Ann\u202Ea"], errors);
        Assert.Contains(errors, e => e.Column == "first_name" && e.Reason.Contains("U+202E"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Upsert_RefusesLettersInPhones_UnknownRegions_AndControlCharacters_AndStoresEmojiNames(DatabaseProvider provider)
    {
        await using var host = await ApiTestHost.StartAsync(provider);
        var http = await host.ClientWithAllScopesAsync();
        var emoji = string.Concat(Enumerable.Repeat("🙂", 60));

        var response = await http.PutAsync("/api/v1/clients", ApiTestHost.Json(new[]
        {
            Item("letters", phone: "+7 999 ABC 12 34"),
            Item("zzz", phone: "+79161234501", regionCode: "ZZZ"),
            Item("nul", phone: "+79161234502", firstName: "An\0na"),
            Item("rlo", phone: "+79161234503", firstName: "Anna\u202Eavon"),
            Item("emoji", phone: "+79161234504", firstName: emoji),
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = (await ApiTestHost.ReadJsonAsync(response))["items"]!.AsArray();
        string FieldOf(int i) => (string)items[i]!["errors"]![0]!["field"]!;
        Assert.Equal(("phone", "regionCode", "firstName", "firstName"), (FieldOf(0), FieldOf(1), FieldOf(2), FieldOf(3)));
        Assert.Equal("created", (string)items[4]!["status"]!);
        await using var db = host.Db();
        Assert.Equal(emoji, await db.Clients.Where(c => c.ExternalId == "emoji").Select(c => c.FirstName).SingleAsync());
        Assert.False(await db.Clients.AnyAsync(c => c.Phone == "+79992221234"));
        Assert.Equal(1, await db.Clients.CountAsync());
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("TRUE")]
    public async Task Atomic_OneOrTrue_RefusesTheWholeBatch(string value)
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();

        var response = await http.PutAsync($"/api/v1/clients?atomic={value}",
            ApiTestHost.Json(new[] { Item("good"), Item("bad", phone: "12345") }));

        await ApiTestHost.AssertProblemAsync(response, 422);
        await using var db = host.Db();
        Assert.Equal(0, await db.Clients.CountAsync());
    }

    [Theory]
    [InlineData("/api/v1/clients?atomic=yes")]
    [InlineData("/api/v1/clients?atomic=2")]
    [InlineData("/api/v1/clients?atomic=true&atomic=false")]
    public async Task Atomic_AnythingElse_Is400NamingIt_AndAppliesNothing(string url)
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();

        var response = await http.PutAsync(url, ApiTestHost.Json(new[] { Item("good") }));

        var problem = await ApiTestHost.AssertProblemAsync(response, 400);
        Assert.Contains("'atomic'", (string)problem["detail"]!);
        await using var db = host.Db();
        Assert.Equal(0, await db.Clients.CountAsync());
    }

    [Fact]
    public async Task Events_AtomicYes_Is400()
    {
        await using var host = await ApiTestHost.StartAsync();
        var http = await host.ClientWithAllScopesAsync();
        var response = await http.PostAsync("/api/v1/events?atomic=yes", ApiTestHost.Raw("[]"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
