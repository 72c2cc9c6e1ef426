using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Portal.Domain.Messages;
using Portal.Infrastructure.Providers;

namespace Portal.Tests.Infrastructure.Providers;

/// <summary>Hostile or unusual input to the provider parsers: callbacks, price lists, templates, drafts, stored settings.</summary>
public class ProviderParsingEdgeTests
{
    private static readonly DateTime Now = new(2026, 12, 5, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void AddJson_NestedArraysAndNulls_FlattenedWithIndexesAndNullsLeftOut()
    {
        using var doc = JsonDocument.Parse("""{"results":[{"id":"a1","status":"delivered"},{"id":7,"ok":true}],"error":null}""");
        var fields = new Dictionary<string, string>();

        HttpCallbackReader.AddJson(doc.RootElement, fields);

        Assert.Equal("a1", fields["results[0].id"]);
        Assert.Equal("delivered", fields["results[0].status"]);
        Assert.Equal("7", fields["results[1].id"]);
        Assert.Equal("true", fields["results[1].ok"]);
        Assert.False(fields.ContainsKey("error"));
        Assert.Equal(4, fields.Count);
    }

    [Theory]
    [InlineData("rejected", MessageStatus.Rejected)]
    [InlineData("expired", MessageStatus.Expired)]
    [InlineData("unknown", MessageStatus.Unknown)]
    public void ReadReceipt_EachFinalFailureStatus_MappedWithTheStatusAsError(string value, MessageStatus expected)
    {
        var f = new HttpReceiptFields { StatusMap = new Dictionary<string, HttpReceiptStatus> { ["rejected"] = HttpReceiptStatus.Rejected, ["expired"] = HttpReceiptStatus.Expired, ["unknown"] = HttpReceiptStatus.Unknown } };

        var reading = HttpCallbackReader.ReadReceipt(3, f, new Dictionary<string, string> { ["status"] = value, ["id"] = "42" }, Now);

        Assert.False(reading.Ignored);
        Assert.Null(reading.Problem);
        Assert.Equal(expected, reading.Item!.Status);
        Assert.Equal(42, reading.Item.MessageId);
        Assert.Equal("http:" + value, reading.Item.ErrorCode);
    }

    [Fact]
    public void ReadReceipt_NonFinalStatus_IgnoredWithoutProblem()
    {
        var reading = HttpCallbackReader.ReadReceipt(3, new HttpReceiptFields(), new Dictionary<string, string> { ["status"] = "sent", ["id"] = "42" }, Now);

        Assert.True(reading.Ignored);
    }

    [Fact]
    public void ReadReceipt_MapHoldsAnUndefinedStatus_Throws()
    {
        var f = new HttpReceiptFields { StatusMap = new Dictionary<string, HttpReceiptStatus> { ["odd"] = (HttpReceiptStatus)99 } };

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => HttpCallbackReader.ReadReceipt(3, f, new Dictionary<string, string> { ["status"] = "odd", ["id"] = "1" }, Now));
        Assert.Contains("99", e.Message);
    }

    private static async Task<List<PriceImportError>> ParseErrorsAsync(string csv) =>
        (await PriceListImport.ParseAsync(1, new StringReader(csv), Now, CancellationToken.None)).Errors;

    [Theory]
    [InlineData("")]
    [InlineData("   \n79,0.5,RUB")]
    public async Task PriceList_EmptyOrBlankHeader_RefusedOnLineOne(string csv)
    {
        var error = Assert.Single(await ParseErrorsAsync(csv));

        Assert.Equal(1, error.Line);
        Assert.Contains("empty", error.Reason);
    }

    [Fact]
    public async Task PriceList_BadDate_RefusedNamingTheLineAndTheValue()
    {
        var error = Assert.Single(await ParseErrorsAsync("destination,price,currency,valid_from\n7999,0.50,RUB,2026-12-01\n7998,0.50,RUB,next tuesday\n"));

        Assert.Equal(3, error.Line);
        Assert.Contains("'next tuesday'", error.Reason);
    }

    [Fact]
    public async Task PriceList_MoreThanTheMaximumLines_RefusedAtTheFirstLineTooMany()
    {
        var csv = new System.Text.StringBuilder("destination,price,currency\n");
        for (var i = 0; i <= PriceListImport.MaxLines; i++) csv.Append('7').Append(i.ToString("D6")).Append(",0.1,RUB\n");

        var errors = await ParseErrorsAsync(csv.ToString());

        var error = Assert.Single(errors);
        Assert.Equal(PriceListImport.MaxLines + 2, error.Line);
        Assert.Contains("Too many lines", error.Reason);
    }

    [Fact]
    public void Expand_UndefinedEscaping_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HttpTemplate.Expand("{to}", new Dictionary<string, string> { ["to"] = "+7999" }, (HttpEscaping)42));
    }

    [Theory]
    [InlineData("not json", "x", "1", null)]
    [InlineData("[1,2]", "x", "1", null)]
    [InlineData("""{"a":1}""", "flag", "false", """{"a":1,"flag":false}""")]
    [InlineData("""{"a":1}""", "mclass", "-0.5", """{"a":1,"mclass":-0.5}""")]
    [InlineData("""{"a":1}""", "label", "Привет", """{"a":1,"label":"Привет"}""")]
    public void WithJsonMember_ValueTypedAsJsonOrBodyRefused(string body, string name, string value, string? expected)
    {
        Assert.Equal(expected, HttpTemplate.WithJsonMember(body, name, value));
    }

    [Theory]
    [InlineData("""{"n":12.5}""", "n", "12.5")]
    [InlineData("""{"n":false}""", "n", "false")]
    [InlineData("""{"n":null}""", "n", null)]
    [InlineData("""{"n":{"x":1}}""", "n", """{"x":1}""")]
    public void JsonPath_NonStringValues_ReadAsWritten(string json, string path, string? expected)
    {
        Assert.Equal(expected, JsonPathReader.TryRead(json, path));
    }

    [Fact]
    public void Answer_CatastrophicRegex_TimesOutToNoIdInsteadOfHanging()
    {
        var body = new string('a', 5000) + "!";

        Assert.Null(HttpProviderAnswer.Extract(body, null, "^(a+)+$"));
    }

    [Fact]
    public void Settings_InvalidContentTypeAndHeader_BothNamed()
    {
        var settings = HttpProviderSettings.Kannel("http://127.0.0.1:13013", "u") with
        {
            Method = "POST", BodyTemplate = "to={to}", ContentType = "not a media type",
            Headers = new Dictionary<string, string> { ["Bad Name"] = "v" },
        };

        var problems = settings.Problems();

        Assert.Contains("The content type is a media type such as application/json.", problems);
        Assert.Contains("Header names have no spaces or colons, and values are one line.", problems);
    }

    [Fact]
    public void Draft_FromSettingsWithHeaders_RoundTripsThem()
    {
        var settings = HttpProviderSettings.Kannel("http://127.0.0.1:13013", "u") with { Headers = new Dictionary<string, string> { ["X-Api-Key"] = "k1", ["X-Tenant"] = "t" } };

        var draft = HttpProviderDraft.From(settings);
        var (back, problems) = draft.ToSettings();

        Assert.Equal("X-Api-Key: k1\nX-Tenant: t", draft.Headers);
        Assert.Empty(problems);
        Assert.Equal("k1", back!.Headers["X-Api-Key"]);
    }

    [Fact]
    public void Draft_ApplyGeneric_KeepsEveryTypedField()
    {
        var draft = new HttpProviderDraft { Preset = HttpProviderPreset.Kannel, UrlTemplate = "https://sms.example.test/send", Username = "me" };

        draft.Apply(HttpProviderPreset.Generic);

        Assert.Equal(HttpProviderPreset.Generic, draft.Preset);
        Assert.Equal("https://sms.example.test/send", draft.UrlTemplate);
        Assert.Equal("me", draft.Username);
    }

    [Fact]
    public void Draft_BlankInboundFieldNames_Refused()
    {
        var draft = HttpProviderDraft.From(HttpProviderSettings.Kannel("http://127.0.0.1:13013", "u"));
        draft.InboundTextField = " ";

        var (settings, problems) = draft.ToSettings();

        Assert.Null(settings);
        Assert.Contains("Inbound SMS need the sender, recipient and text field names.", problems);
    }

    [Fact]
    public void ProviderSettings_StoredJsonIsCorrupt_DefaultsInsteadOfThrowing()
    {
        var settings = ProviderSettings.Parse("{\"host\": ");

        Assert.Equal("", settings.Host);
        Assert.Equal(2775, settings.Port);
        Assert.Null(settings.Http);
    }

    [Fact]
    public void ProviderSecrets_EncryptedWithAnotherKeyRing_UnreadableWithAnActionableMessage()
    {
        var other = new ProviderSecrets(new EphemeralDataProtectionProvider()).Protect("secret");
        var secrets = new ProviderSecrets(new EphemeralDataProtectionProvider());

        var e = Assert.Throws<InvalidDataException>(() => secrets.Unprotect(other));

        Assert.Contains("DataProtection:KeysPath", e.Message);
        Assert.Equal("again", secrets.Unprotect(secrets.Protect("again")));
    }
}
