using Portal.Domain.Clients;
using Portal.Infrastructure.Seeding;

namespace Portal.Tests.Infrastructure.Persistence;

public class DemoClientGeneratorTests
{
    private static readonly DateTime Reference = new(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Generate_SameIndex_SameClient()
    {
        var a = DemoClientGenerator.Generate(1000, 50, Reference).ToList();
        var b = DemoClientGenerator.Generate(1000, 50, Reference).ToList();
        Assert.Equal(a, b);
        Assert.Equal(a[10], DemoClientGenerator.Create(1010, Reference));
    }

    [Fact]
    public void PhoneFor_IsUniqueAcrossTwoMillionIndexes()
    {
        var seen = new HashSet<string>();
        for (long i = 0; i < 2_000_000; i++)
        {
            Assert.True(seen.Add(DemoClientGenerator.PhoneFor(i)), $"duplicate phone at index {i}");
        }
    }

    [Fact]
    public void PhoneFor_EveryDefCodeGivesValidMobileNumbers_AcrossItsRange()
    {
        var invalid = new SortedSet<string>();
        // Index i*60+k walks DEF code k at subscriber number (i*7919+1234567) mod 10^7: 5,000 spread samples per code.
        for (long i = 0; i < 5_000; i++)
        {
            for (long k = 0; k < 60; k++)
            {
                var phone = DemoClientGenerator.PhoneFor(i * 397 * 60 + k);
                if (!PhoneNumber.TryParse(phone, out _, out _))
                {
                    invalid.Add(phone[2..5]);
                }
            }
        }
        Assert.True(invalid.Count == 0, "DEF codes with invalid numbers: " + string.Join(", ", invalid));
    }

    [Fact]
    public void Generate_ProducesValidMobileNumbersAndConsistentNames()
    {
        foreach (var c in DemoClientGenerator.Generate(0, 2000, Reference))
        {
            Assert.True(PhoneNumber.TryParse(c.Phone, out var phone, out var error), error);
            Assert.Equal(c.Phone, phone.Value);
            Assert.Equal(RussianRegions.TimeZoneOf(c.RegionCode), c.TimeZone);
            Assert.Contains(c.City, RussianRegions.Find(c.RegionCode)!.Cities);
            var age = Reference.Year - c.BirthDate.Year;
            Assert.InRange(age, 18, 81);
            if (c.Gender == Gender.Female)
            {
                Assert.EndsWith("на", c.MiddleName);
            }
            else
            {
                Assert.EndsWith("ич", c.MiddleName);
            }
            Assert.True(c.RegisteredAt <= Reference);
            Assert.True(c.PurchaseCount > 0 || c.TotalSpend == 0m);
        }
    }

    [Fact]
    public void Generate_ShapesLikeARealBase()
    {
        var clients = DemoClientGenerator.Generate(0, 10_000, Reference).ToList();
        var advertising = clients.Count(c => c.AdvertisingConsent) / 10_000.0;
        var moscow = clients.Count(c => c.RegionCode is "MOW" or "MOS") / 10_000.0;
        Assert.InRange(advertising, 0.55, 0.70);
        Assert.InRange(moscow, 0.15, 0.35);
        Assert.True(clients.Select(c => c.RegionCode).Distinct().Count() >= 25);
    }
}
