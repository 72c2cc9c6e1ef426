using Portal.Domain.Clients;
using Portal.Domain.Templates;

namespace Portal.Tests.Domain.Templates;

public class TemplateEngineTests
{
    private static readonly TemplateEngine Engine = new();
    private static readonly CampaignMergeFields Campaign = new("Black Friday", "PortalShop", new DateTime(2026, 11, 25, 22, 30, 0, DateTimeKind.Utc));

    internal static Client Anna(string language = "ru")
    {
        var client = new Client(PhoneNumber.Parse("+79161234567"), "Анна", "Иванова", new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc))
        {
            MiddleName = "Сергеевна",
            Language = language,
            City = "Москва",
            RegionCode = "MOW",
            Balance = 1234.5m,
            LoyaltyTier = LoyaltyTier.Gold,
            Gender = Gender.Female,
            BirthDate = new DateOnly(1990, 5, 17),
            ExternalId = "CRM-17",
            TimeZone = "Europe/Moscow",
        };
        return client;
    }

    private static string Render(string body, Client? client = null, IReadOnlyDictionary<string, string>? attributes = null) =>
        Engine.Compile(body).Render(client ?? Anna(), attributes, Campaign).Text;

    [Fact]
    public void MergeFields_RenderTheClientsValues()
    {
        Assert.Equal("Анна Сергеевна Иванова, Москва, gold, female", Render("{{ client.full_name }}, {{ client.city }}, {{ client.loyalty_tier }}, {{ client.gender }}"));
        Assert.Equal("CRM-17 ru Black Friday PortalShop", Render("{{ client.external_id }} {{ client.language }} {{ campaign.name }} {{ campaign.sender }}"));
        Assert.Equal("Москва / Moscow", Render("{{ client.region }}") + " / " + Render("{{ client.region }}", Anna("en")));
    }

    [Fact]
    public void Money_FollowsTheClientsLanguage()
    {
        Assert.Equal("Баланс: 1 234,50 ₽", Render("Баланс: {{ client.balance | money }}"));
        Assert.Equal("Balance: 1,234.50 RUB", Render("Balance: {{ client.balance | money }}", Anna("en")));
        Assert.Equal("0,00 ₽", Render("{{ client.total_spend | money }}"));
    }

    [Fact]
    public void Dates_RussianAndEnglish_InTheClientsTimeZone()
    {
        // 22:30 UTC on 25 November is 01:30 on 26 November in Moscow.
        Assert.Equal("26 ноября 2026", Render("{{ campaign.date | long_date }}"));
        Assert.Equal("26 November 2026", Render("{{ campaign.date | long_date }}", Anna("en")));
        Assert.Equal("17.05.1990", Render("{{ client.birth_date | short_date }}"));
        Assert.Equal("17 May 1990", Render("{{ client.birth_date | short_date }}", Anna("en")));
    }

    [Fact]
    public void Default_FillsMissingValues()
    {
        var client = Anna();
        client.FirstName = null;
        Assert.Equal("Здравствуйте, клиент!", Render("Здравствуйте, {{ client.first_name | default: \"клиент\" }}!", client));
        Assert.Equal("tariff: none", Render("tariff: {{ client.tariff | default: 'none' }}"));
    }

    [Fact]
    public void Attributes_AreReadByKey()
    {
        var attributes = new Dictionary<string, string> { ["contract_type"] = "B2B" };
        Assert.Equal("B2B/", Render("{{ attr.contract_type }}/{{ attr.missing }}", attributes: attributes));
    }

    [Fact]
    public void Render_MeasuresAlphabetAndParts()
    {
        var latin = Engine.Compile("Hi {{ client.first_name }}, your code is 1234").Render(Anna("en"), null, Campaign);
        Assert.Equal(SmsAlphabet.Ucs2, latin.Alphabet); // the Cyrillic name forces UCS-2
        var client = Anna("en");
        client.FirstName = "Anna";
        var gsm = Engine.Compile("Hi {{ client.first_name }}, your code is 1234").Render(client, null, Campaign);
        Assert.Equal(new RenderedSms("Hi Anna, your code is 1234", SmsAlphabet.Gsm7, 1) { Length = 26 }, gsm);
    }

    [Fact]
    public void AssignedVariables_DoNotLeakToTheNextClient()
    {
        var template = Engine.Compile("{% if previous %}LEAK {{ previous }}{% endif %}{% assign previous = client.first_name %}ok");
        Assert.Equal("ok", template.Render(Anna(), null, Campaign).Text);
        Assert.Equal("ok", template.Render(Anna(), null, Campaign).Text);
    }

    [Theory]
    [InlineData("{% increment n %}{% increment n %}", "01")]
    [InlineData("{% cycle 'a', 'b', 'c' %}", "a")]
    [InlineData("{% ifchanged %}x{% endifchanged %}", "x")]
    [InlineData("{% capture s %}{{ s }}y{% endcapture %}{{ s }}", "y")]
    public void Counters_AndCycles_StartAfreshForEveryClient(string body, string expected)
    {
        var template = Engine.Compile(body);
        for (var i = 0; i < 3; i++) Assert.Equal(expected, template.Render(Anna(), null, Campaign).Text);
    }

    [Fact]
    public void StepCounter_IsPerRender()
    {
        // 600 steps a render: the second and later renders on this thread must not inherit the count.
        var template = Engine.Compile("{% for i in (1..300) %}{% endfor %}x");
        for (var i = 0; i < 50; i++) Assert.Equal("x", template.Render(Anna(), null, Campaign).Text);
    }

    [Theory]
    [InlineData("Hello {{ client.first_name ", 1, 27)]
    [InlineData("line one\nline {% if client.city %}open", 2, 30)]
    [InlineData("Hi\n{{ client.first_name | }}", 2, 23)]
    public void SyntaxError_HasLineAndColumn(string body, int line, int column)
    {
        var e = Assert.Throws<TemplateSyntaxException>(() => Engine.Compile(body));
        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        Assert.False(string.IsNullOrWhiteSpace(e.Reason));
    }

    [Fact]
    public void UnknownField_IsRefusedAtCompile_WithItsPosition()
    {
        var e = Assert.Throws<TemplateSyntaxException>(() => Engine.Compile("Hi\n  {{ client.Phone }}"));
        Assert.Equal((2, 6), (e.Line, e.Column));
        Assert.Contains("client.Phone", e.Message);
    }

    [Fact]
    public void UnknownFilter_IsRefusedAtCompile()
    {
        var e = Assert.Throws<TemplateSyntaxException>(() => Engine.Compile("Balance: {{ client.balance | mony }}"));
        Assert.Equal((1, 30), (e.Line, e.Column));
        Assert.Contains("mony", e.Message);
    }

    [Fact]
    public void Render_IsThreadSafe()
    {
        var template = Engine.Compile("{{ client.first_name }}-{{ attr.n }}");
        Parallel.For(0, 2_000, i =>
        {
            var client = Anna();
            client.FirstName = "N" + i;
            var text = template.Render(client, new Dictionary<string, string> { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }, Campaign).Text;
            Assert.Equal($"N{i}-{i}", text);
        });
    }
}
