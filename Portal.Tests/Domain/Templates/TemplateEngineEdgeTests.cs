using Portal.Domain.Clients;
using Portal.Domain.Templates;

namespace Portal.Tests.Domain.Templates;

/// <summary>
/// Issue 21 (mutation testing): the sandbox limits at their edges and their error texts, positions
/// of compile errors, every merge field's value and absence, Portal's filters month by month.
/// Limits are small here so the texts hold no thousands separator.
/// </summary>
public class TemplateEngineEdgeTests
{
    private static readonly TemplateEngine Engine = new();
    private static readonly CampaignMergeFields Campaign = new("Black Friday", "PortalShop", new DateTime(2026, 11, 25, 22, 30, 0, DateTimeKind.Utc));

    private static string Render(string body, Client? client = null, IReadOnlyDictionary<string, string>? attributes = null, TemplateEngine? engine = null) =>
        (engine ?? Engine).Compile(body).Render(client ?? TemplateEngineTests.Anna(), attributes, Campaign).Text;

    private static Client Bare(string language = "ru") =>
        new(PhoneNumber.Parse("+79161234567"), null, null, new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc)) { Language = language };

    // Compile: body length, positions, unknown fields and filters.

    [Fact]
    public void Body_AtTheLimit_Compiles_AndOneMoreIsRefusedAtThatPosition()
    {
        var engine = new TemplateEngine(new TemplateLimits(MaxBodyLength: 10));
        Assert.Equal("0123456789", Render("0123456789", engine: engine));
        var error = Assert.Throws<TemplateSyntaxException>(() => engine.Compile("01234\n6789x"));
        Assert.Equal("A template is at most 10 characters.", error.Reason);
        Assert.Equal((2, 5), (error.Line, error.Column));
        Assert.Equal("Line 2, column 5: A template is at most 10 characters.", error.Message);
    }

    [Fact]
    public void DefaultLimits_AreTheDocumentedOnes()
    {
        Assert.Equal(new TemplateLimits(5_000, 10_000, 20, 1_000, 2_000, 4_000), Engine.Limits);
        Assert.Same(TemplateLimits.Default, new TemplateEngine(null).Limits);
    }

    [Theory]
    [InlineData("Hi {{ client.Phone }}", "'client.Phone' is not a merge field; use the fields in the picker.", 1, 7)]
    [InlineData("{{ client.name }}", "'client.name' is not a merge field; use the fields in the picker.", 1, 4)]
    [InlineData("{{ campaign.first_name }}", "'campaign.first_name' is not a merge field; use the fields in the picker.", 1, 4)]
    [InlineData("x\n{{ client.first_name.size }}", "'client.first_name.size' is not a merge field; use the fields in the picker.", 2, 4)]
    [InlineData("{{ client[\"first_name\"] }}", "'client' is not a merge field; use the fields in the picker.", 1, 4)]
    [InlineData("{{ client.Foo }}{{ client.Bar }}", "'client.Foo' is not a merge field; use the fields in the picker.", 1, 4)]
    [InlineData("{{ 1 | foo }}{{ 2 | bar }}", "There is no filter 'foo'.", 1, 8)]
    [InlineData("{{ client.Phone | mony }}", "There is no filter 'mony'.", 1, 19)]
    public void Compile_UnknownFieldOrFilter_IsRefusedInWords_AtItsFirstUse(string body, string reason, int line, int column)
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => Engine.Compile(body));
        Assert.Equal(reason, error.Reason);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("{% include 'other' %}")]
    [InlineData("{% render 'other' %}")]
    public void IncludeAndRender_AreRefusedAtCompile(string body) =>
        Assert.Throws<TemplateSyntaxException>(() => Engine.Compile(body));

    [Theory]
    [InlineData("{{ client }}|{{ campaign }}|{{ attr }}", "||")]
    [InlineData("{{ attr.AnyKey }}{{ other.thing }}", "")]
    [InlineData("{% assign c = client %}{{ c.Phone }}{{ c.FirstName }}{{ c.first_name }}", "Анна")]
    [InlineData("{% assign c = campaign %}{{ c.Body }}{{ c.name }}", "Black Friday")]
    public void Model_OutsideTheFields_ReadsNothing(string body, string expected) =>
        Assert.Equal(expected, Render(body));

    [Fact]
    public void SyntaxError_ReasonComesWithoutFluidsPosition()
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => Engine.Compile("Hello {{ client.first_name "));
        Assert.DoesNotContain(" at (", error.Reason);
        Assert.Equal(error.Reason.Trim(), error.Reason);
        Assert.Equal($"Line 1, column 27: {error.Reason}", error.Message);
    }

    // Render limits.

    [Fact]
    public void Output_AtTheLimit_Renders_AndOneMoreCharacterIsRefused()
    {
        var engine = new TemplateEngine(new TemplateLimits(MaxOutputLength: 10));
        Assert.Equal("0123456789", Render("01234{{ '56789' }}", engine: engine));
        Assert.Equal("0123456789", Render("{% for i in (0..9) %}{{ i }}{% endfor %}", engine: engine));
        var error = Assert.Throws<TemplateRenderException>(() => Render("01234{{ '567890' }}", engine: engine));
        Assert.Equal("The message is longer than 10 characters.", error.Message);
        Assert.Throws<TemplateRenderException>(() => Render("{% for i in (0..10) %}{{ i | slice: 0 }}{% endfor %}", engine: engine));
        // The next render on this thread starts with an empty buffer.
        Assert.Equal("ok", Render("ok", engine: engine));
    }

    [Theory]
    [InlineData("{% for i in (1..10) %}{% endfor %}ok")]
    [InlineData("{% for i in (10..1) %}{% endfor %}ok")]
    [InlineData("{% for i in (-4..5) %}{% endfor %}ok")]
    public void Range_OfTheLimitsItems_Renders(string body) =>
        Assert.Equal("ok", Render(body, engine: new TemplateEngine(new TemplateLimits(MaxRange: 10))));

    [Theory]
    [InlineData("{% for i in (1..11) %}{% endfor %}")]
    [InlineData("{% for i in (11..1) %}{% endfor %}")]
    [InlineData("{% assign n = 0 %}{% for i in (n..-10) %}{% endfor %}")]
    public void Range_OfOneItemMore_IsRefusedInWords(string body)
    {
        var error = Assert.Throws<TemplateRenderException>(() => Render(body, engine: new TemplateEngine(new TemplateLimits(MaxRange: 10))));
        Assert.Equal("A range may have at most 10 items.", error.Message);
    }

    [Theory]
    [InlineData("{% assign s = 'xxxxx' %}{{ s }}", "xxxxx")]
    [InlineData("{{ 'xx' | append: 'xxx' }}", "xxxxx")]
    [InlineData("{% capture s %}xxxxx{% endcapture %}{{ s }}", "xxxxx")]
    [InlineData("{% assign a = 'a,b,c,d,e' | split: ',' %}{{ a | size }}", "5")]
    public void Value_AtTheLimit_IsKept(string body, string expected) =>
        Assert.Equal(expected, Render(body, engine: new TemplateEngine(new TemplateLimits(MaxValueLength: 5))));

    [Theory]
    [InlineData("{% assign s = 'xxxxxx' %}")]
    [InlineData("{{ 'xxx' | append: 'xxx' }}")]
    [InlineData("{% capture s %}xxxxxx{% endcapture %}")]
    [InlineData("{% assign a = 'a,b,c,d,e,f' | split: ',' %}")]
    [InlineData("{% assign a = 'a,b,c' | split: ',' %}{% assign b = a | concat: a %}")]
    public void Value_OneOverTheLimit_IsRefusedInWords(string body)
    {
        var error = Assert.Throws<TemplateRenderException>(() => Render(body, engine: new TemplateEngine(new TemplateLimits(MaxValueLength: 5))));
        Assert.Equal("A value in the template grew past 5 characters or items.", error.Message);
    }

    [Fact]
    public void Steps_PastTheLimit_AreRefusedInWords()
    {
        var engine = new TemplateEngine(new TemplateLimits(MaxSteps: 50, MaxRecursion: 7));
        var error = Assert.Throws<TemplateRenderException>(() => Render("{% for i in (1..100) %}{% endfor %}", engine: engine));
        Assert.Equal("The template ran more than 50 steps or nested deeper than 7.", error.Message);
        Assert.Equal("ok", Render("ok", engine: engine));
    }

    [Fact]
    public void LoopNesting_PastTheRecursionLimit_IsRefused_ButIfNestingIsNot()
    {
        // Fluid counts MaxRecursion on loop scopes only; nested ifs are bounded by the body's length.
        var engine = new TemplateEngine(new TemplateLimits(MaxSteps: 500, MaxRecursion: 3));
        static string Nest(string open, string close) => string.Concat(Enumerable.Repeat(open, 10)) + "x" + string.Concat(Enumerable.Repeat(close, 10));
        var error = Assert.Throws<TemplateRenderException>(() => Render(Nest("{% for i in (1..1) %}", "{% endfor %}"), engine: engine));
        Assert.Equal("The template ran more than 500 steps or nested deeper than 3.", error.Message);
        Assert.Equal("x", Render(Nest("{% if true %}", "{% endif %}"), engine: engine));
    }

    [Fact]
    public void Failure_OtherThanALimit_IsReportedWithItsCause()
    {
        var error = Assert.Throws<TemplateRenderException>(() => Render("{{ 1 | divided_by: 0 }}"));
        Assert.Equal("The template failed: Attempted to divide by zero.", error.Message);
    }

    [Fact]
    public void FailedRender_LeavesNothingForTheNextRenderOnTheThread()
    {
        var engine = new TemplateEngine(new TemplateLimits(MaxRange: 10));
        Assert.Throws<TemplateRenderException>(() => Render("{% assign secret = client.first_name %}{% for i in (1..11) %}{% endfor %}", engine: engine));
        Assert.Equal("[]", Render("[{{ secret }}]", Bare(), engine: engine));
    }

    // Merge fields: values and absences.

    [Theory]
    [InlineData("{{ client.first_name }}|{{ client.middle_name }}|{{ client.last_name }}", "Анна|Сергеевна|Иванова")]
    [InlineData("{{ client.full_name }}", "Анна Сергеевна Иванова")]
    [InlineData("{{ client.city }}|{{ client.region }}|{{ client.language }}", "Москва|Москва|ru")]
    [InlineData("{{ client.balance }}|{{ client.total_spend }}|{{ client.purchase_count }}", "1234,5|0|0")]
    [InlineData("{{ client.birth_date | date: '%Y-%m-%d %H:%M' }}", "1990-05-17 00:00")]
    [InlineData("{{ client.registered_at | date: '%Y-%m-%d %H:%M' }}", "2024-03-01 03:00")]
    [InlineData("{{ campaign.date | date: '%Y-%m-%d %H:%M' }}", "2026-11-26 01:30")]
    [InlineData("{{ campaign.name }}|{{ campaign.sender }}", "Black Friday|PortalShop")]
    [InlineData("{{ client.loyalty_tier }}|{{ client.gender }}|{{ client.external_id }}", "gold|female|CRM-17")]
    public void Field_RendersTheClientsValue(string body, string expected) =>
        Assert.Equal(expected, Render(body));

    [Fact]
    public void Fields_OfAFilledClient_AllHaveValues()
    {
        var client = TemplateEngineTests.Anna();
        client.Gender = Gender.Male;
        client.LoyaltyTier = LoyaltyTier.Platinum;
        client.Tariff = "Premium";
        client.TotalSpend = 56789m;
        client.PurchaseCount = 12;
        client.LastPurchaseAt = new DateTime(2026, 11, 30, 21, 15, 0, DateTimeKind.Utc);
        Assert.Equal("male|platinum|Premium|56789|12|2026-12-01 00:15",
            Render("{{ client.gender }}|{{ client.loyalty_tier }}|{{ client.tariff }}|{{ client.total_spend }}|{{ client.purchase_count }}|{{ client.last_purchase_at | date: '%Y-%m-%d %H:%M' }}", client));
    }

    [Theory]
    [InlineData("first_name")]
    [InlineData("middle_name")]
    [InlineData("last_name")]
    [InlineData("full_name")]
    [InlineData("gender")]
    [InlineData("birth_date")]
    [InlineData("city")]
    [InlineData("region")]
    [InlineData("tariff")]
    [InlineData("loyalty_tier")]
    [InlineData("last_purchase_at")]
    [InlineData("external_id")]
    public void Field_ClientWithoutIt_IsNil_NotAnEmptyText(string field)
    {
        // Liquid: an empty text is true, nil is false; `default` must see nil.
        var client = Bare();
        client.RegionCode = "XX";
        Assert.Equal("none", Render($"{{% if client.{field} %}}{{{{ client.{field} }}}}{{% else %}}none{{% endif %}}", client));
    }

    [Fact]
    public void Field_RegionCodeMissing_IsNil()
    {
        var client = Bare();
        Assert.Equal("none", Render("{{ client.region | default: 'none' }}", client));
    }

    [Fact]
    public void Campaign_WithoutASender_HasANilSender()
    {
        var campaign = new CampaignMergeFields("Sale", null, Campaign.SendDateUtc);
        Assert.Equal("Sale none", Engine.Compile("{{ campaign.name }} {{ campaign.sender | default: 'none' }}").Render(Bare(), null, campaign).Text);
    }

    [Fact]
    public void FullName_SkipsMissingAndBlankParts()
    {
        var client = Bare();
        client.FirstName = "Анна";
        client.MiddleName = " ";
        client.LastName = "Иванова";
        Assert.Equal("Анна Иванова", Render("{{ client.full_name }}", client));
        client.FirstName = null;
        Assert.Equal("Иванова", Render("{{ client.full_name }}", client));
    }

    [Theory]
    [InlineData("en", "Moscow")]
    [InlineData("EN-gb", "Moscow")]
    [InlineData("english", "Moscow")]
    [InlineData("ru", "Москва")]
    [InlineData("e", "Москва")]
    [InlineData("", "Москва")]
    public void Region_IsInTheClientsLanguage_EnglishByPrefix(string language, string expected) =>
        Assert.Equal(expected, Render("{{ client.region }}", TemplateEngineTests.Anna(language)));

    [Fact]
    public void Dates_FollowEachClientsTimeZone_OnOneThread()
    {
        // 22:30 UTC on 25 November: 01:30 on the 26th in Moscow, 08:30 in Vladivostok, 22:30 in UTC.
        var template = Engine.Compile("{{ campaign.date | date: '%d %H:%M' }}");
        var moscow = TemplateEngineTests.Anna();
        var vladivostok = TemplateEngineTests.Anna();
        vladivostok.TimeZone = "Asia/Vladivostok";
        var nowhere = TemplateEngineTests.Anna();
        nowhere.TimeZone = "Mars/Olympus_Mons";
        Assert.Equal("26 01:30", template.Render(moscow, null, Campaign).Text);
        Assert.Equal("26 08:30", template.Render(vladivostok, null, Campaign).Text);
        Assert.Equal("25 22:30", template.Render(nowhere, null, Campaign).Text);
        Assert.Equal("26 01:30", template.Render(moscow, null, Campaign).Text);
    }

    [Fact]
    public void Campaign_ChangedOnOneThread_IsReadAfresh()
    {
        var template = Engine.Compile("{{ campaign.name }}/{{ campaign.sender }}");
        Assert.Equal("Black Friday/PortalShop", template.Render(Bare(), null, Campaign).Text);
        Assert.Equal("Sale/Shop", template.Render(Bare(), null, new CampaignMergeFields("Sale", "Shop", Campaign.SendDateUtc)).Text);
        Assert.Equal("Black Friday/PortalShop", template.Render(Bare(), null, Campaign).Text);
    }

    [Fact]
    public void Attributes_ByIndex_AndWithoutAttributes()
    {
        var attributes = new Dictionary<string, string> { ["contract type"] = "B2B" };
        Assert.Equal("B2B", Render("{{ attr['contract type'] }}", attributes: attributes));
        Assert.Equal("none", Render("{{ attr.contract_type | default: 'none' }}"));
        Assert.Equal("none", Render("{% if attr.x %}{{ attr.x }}{% else %}none{% endif %}", attributes: new Dictionary<string, string>()));
    }

    [Theory]
    [InlineData("{% if client %}yes{% endif %}", "yes")]
    [InlineData("{% if client == client %}same{% endif %}{% if client == campaign %}equal{% endif %}", "same")]
    [InlineData("{{ client | append: '!' }}", "!")]
    [InlineData("{{ campaign | plus: 2 }}", "2")]
    [InlineData("{{ client | json }}", "\"\"")]
    public void Scope_IsATrueObjectWithoutText(string body, string expected) =>
        Assert.Equal(expected, Render(body));

    // Filters.

    [Theory]
    [InlineData("ru", -5.5, "-5,50 ₽")]
    [InlineData("en", -5.5, "-5.50 RUB")]
    [InlineData("ru", 1234567.891, "1 234 567,89 ₽")]
    [InlineData("en", 1234567.891, "1,234,567.89 RUB")]
    [InlineData("ru", 0.005, "0,01 ₽")]
    public void Money_GroupsDigitsAndKeepsTheSign(string language, double balance, string expected)
    {
        var client = TemplateEngineTests.Anna(language);
        client.Balance = (decimal)balance;
        Assert.Equal(expected, Render("{{ client.balance | money }}", client));
    }

    [Fact]
    public void Money_TakesTheSymbolAsArgument_AndLeavesNilEmpty()
    {
        Assert.Equal("1 234,50 руб.", Render("{{ client.balance | money: 'руб.' }}"));
        Assert.Equal("1,234.50 $", Render("{{ client.balance | money: '$' }}", TemplateEngineTests.Anna("en")));
        Assert.Equal("none", Render("{{ client.tariff | money | default: 'none' }}"));
    }

    [Theory]
    [InlineData(1, "января", "January")]
    [InlineData(2, "февраля", "February")]
    [InlineData(3, "марта", "March")]
    [InlineData(4, "апреля", "April")]
    [InlineData(5, "мая", "May")]
    [InlineData(6, "июня", "June")]
    [InlineData(7, "июля", "July")]
    [InlineData(8, "августа", "August")]
    [InlineData(9, "сентября", "September")]
    [InlineData(10, "октября", "October")]
    [InlineData(11, "ноября", "November")]
    [InlineData(12, "декабря", "December")]
    public void Dates_NameEveryMonth(int month, string russian, string english)
    {
        var body = $"{{{{ '2026-{month:D2}-05' | long_date }}}}|{{{{ '2026-{month:D2}-05' | short_date }}}}";
        Assert.Equal($"5 {russian} 2026|05.{month:D2}.2026", Render(body));
        Assert.Equal($"5 {english} 2026|5 {english[..3]} 2026", Render(body, TemplateEngineTests.Anna("en")));
    }

    [Theory]
    [InlineData("'not a date'")]
    [InlineData("42")]
    [InlineData("client.tariff")]
    [InlineData("client")]
    public void Dates_OfSomethingElse_AreNil(string input) =>
        Assert.Equal("none|none", Render($"{{{{ {input} | long_date | default: 'none' }}}}|{{{{ {input} | short_date | default: 'none' }}}}"));

    [Fact]
    public void Dates_TextWithAnOffset_KeepsItsOwnDay()
    {
        Assert.Equal("25 ноября 2026", Render("{{ '2026-11-25T23:30:00+10:00' | long_date }}"));
        Assert.Equal("25.11.2026", Render("{{ '2026-11-25T23:30:00' | short_date }}"));
    }
}
