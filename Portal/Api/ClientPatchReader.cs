using System.Text.Json;
using Portal.Domain.Clients;
using Portal.Infrastructure.Clients;

namespace Portal.Api;

/// <summary>Turns one JSON item of <c>PUT /api/v1/clients</c> into a <see cref="ClientPatch"/>, or errors naming its fields.</summary>
public static class ClientPatchReader
{
    private const int NameLength = 100;

    /// <returns>The patch, or null when the item had errors (added to <paramref name="errors"/>).</returns>
    public static ClientPatch? Read(int index, JsonElement item, List<BatchItemError> errors)
    {
        var r = new JsonItemReader(index, item, errors).Begin();
        if (!r.IsObject)
        {
            return null;
        }
        var externalId = r.RequiredText("externalId", 64);
        var p = new ClientPatch(index, externalId ?? "");
        var set = p.Setters;

        if (r.Has("phone", out var phoneJson))
        {
            if (phoneJson.ValueKind != JsonValueKind.String)
            {
                r.Fail("phone", "Expected a string.");
            }
            else if (PhoneNumber.TryParse(phoneJson.GetString(), out var phone, out var reason))
            {
                p.Phone = phone;
            }
            else
            {
                r.Fail("phone", reason!);
            }
        }
        r.Text("firstName", NameLength, v => set.Add(c => c.FirstName = v));
        r.Text("middleName", NameLength, v => set.Add(c => c.MiddleName = v));
        r.Text("lastName", NameLength, v => set.Add(c => c.LastName = v));
        r.Enum<Gender>("gender", v => set.Add(c => c.Gender = v));
        r.Date("birthDate", v => set.Add(c => c.BirthDate = v));
        r.Text("language", 8, v =>
        {
            if (v!.Length < 2 || !v.All(char.IsAsciiLetter))
            {
                r.Fail("language", "Expected an ISO 639-1 code such as 'ru'.");
                return;
            }
            set.Add(c => c.Language = v.ToLowerInvariant());
        }, nullable: false);
        r.Text("regionCode", 8, v =>
        {
            // An unknown code would be stored with a silent Moscow time zone (issue 20, item 17).
            if (v is not null && RussianRegions.Find(v.ToUpperInvariant()) is null)
            {
                r.Fail("regionCode", $"'{v}' is not a known region code (ISO 3166-2:RU without the country, e.g. MOW or SPE).");
                return;
            }
            p.SetsRegion = true;
            p.RegionCode = v?.ToUpperInvariant();
        });
        r.Text("timeZone", 64, v =>
        {
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(v!, out _))
            {
                r.Fail("timeZone", $"'{v}' is not a known IANA time zone.");
                return;
            }
            p.TimeZone = v;
        }, nullable: false);
        r.Text("city", NameLength, v => set.Add(c => c.City = v));
        r.Enum<ClientStatus>("status", v =>
        {
            if (v == ClientStatus.Erased)
            {
                r.Fail("status", "Use DELETE /api/v1/clients to erase a client.");
                return;
            }
            p.Status = v;
        });
        r.Instant("registeredAt", v => p.RegisteredAt = v, nullable: false);
        r.Enum<LoyaltyTier>("loyaltyTier", v => set.Add(c => c.LoyaltyTier = v));
        r.Text("tariff", NameLength, v => set.Add(c => c.Tariff = v));
        r.Number("balance", v => set.Add(c => c.Balance = v));
        r.Number("totalSpend", v => set.Add(c => c.TotalSpend = v), min: 0);
        r.Count("purchaseCount", v => set.Add(c => c.PurchaseCount = v));
        r.Instant("lastPurchaseAt", v => set.Add(c => c.LastPurchaseAt = v));
        r.Instant("lastActivityAt", v => set.Add(c => c.LastActivityAt = v));
        ReadTags(r, p);
        ReadAttributes(r, p);
        r.RejectUnknownFields();
        return r.Failed ? null : p;
    }

    private static void ReadTags(JsonItemReader r, ClientPatch p)
    {
        if (!r.Has("tags", out var tags))
        {
            return;
        }
        if (tags.ValueKind != JsonValueKind.Array)
        {
            r.Fail("tags", "Expected an array of strings.");
            return;
        }
        var list = new List<string>();
        foreach (var tag in tags.EnumerateArray())
        {
            if (tag.ValueKind != JsonValueKind.String || tag.GetString()!.Trim() is not { Length: > 0 and <= 64 } text)
            {
                r.Fail("tags", "Each tag is a string of 1 to 64 characters.");
                return;
            }
            list.Add(text);
        }
        p.Tags = list;
    }

    private static void ReadAttributes(JsonItemReader r, ClientPatch p)
    {
        if (!r.Has("attributes", out var attributes))
        {
            return;
        }
        if (attributes.ValueKind != JsonValueKind.Object)
        {
            r.Fail("attributes", "Expected an object of attribute values by key.");
            return;
        }
        // Clone: the values outlive the request's JSON document.
        p.Attributes = attributes.EnumerateObject().ToDictionary(a => a.Name.ToLowerInvariant(), a => a.Value.Clone());
    }
}
