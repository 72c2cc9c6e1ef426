using Portal.Domain.Clients;

namespace Portal.Infrastructure.Seeding;

/// <summary>One generated client, in the shape the bulk writers store.</summary>
public sealed record DemoClient(
    string ExternalId, string Phone, string FirstName, string MiddleName, string LastName, Gender Gender,
    DateOnly BirthDate, string Language, string RegionCode, string City, string TimeZone, ClientStatus Status,
    DateTime RegisteredAt, LoyaltyTier LoyaltyTier, decimal Balance, decimal TotalSpend, int PurchaseCount,
    DateTime? LastPurchaseAt, DateTime? LastActivityAt, bool ServiceConsent, bool AdvertisingConsent,
    DateTime ConsentAt, DateTime? OptedOutAt, string Tariff, string Operator);

/// <summary>
/// Realistic, deterministic demo clients: client number <c>i</c> is the same on every machine and
/// every run for the same reference date, so any slice of a 1.9 M base can be generated on its
/// own, streaming, without holding the base in memory.
/// </summary>
public static class DemoClientGenerator
{
    public const string ExternalIdPrefix = "DEMO-";

    // DEF codes of Russian mobile operators (MTS, MegaFon, Beeline, T2 and others).
    private static readonly string[] DefCodes =
    [
        "910", "911", "912", "913", "914", "915", "916", "917", "918", "919", "980", "981", "985", "987", "988",
        "920", "921", "922", "923", "924", "925", "926", "927", "928", "929", "936", "931", "937", "939",
        "903", "905", "906", "909", "960", "961", "962", "963", "964", "965", "967", "968",
        "900", "901", "902", "904", "908", "950", "951", "952", "953", "958", "977", "991", "992", "993", "995", "996", "999",
    ];

    private static readonly (string Name, string Patronymic, string PatronymicF)[] MaleNames =
    [
        ("Александр", "Александрович", "Александровна"), ("Дмитрий", "Дмитриевич", "Дмитриевна"),
        ("Максим", "Максимович", "Максимовна"), ("Сергей", "Сергеевич", "Сергеевна"),
        ("Андрей", "Андреевич", "Андреевна"), ("Алексей", "Алексеевич", "Алексеевна"),
        ("Артём", "Артёмович", "Артёмовна"), ("Илья", "Ильич", "Ильинична"),
        ("Кирилл", "Кириллович", "Кирилловна"), ("Михаил", "Михайлович", "Михайловна"),
        ("Никита", "Никитич", "Никитична"), ("Иван", "Иванович", "Ивановна"),
        ("Евгений", "Евгеньевич", "Евгеньевна"), ("Владимир", "Владимирович", "Владимировна"),
        ("Павел", "Павлович", "Павловна"), ("Роман", "Романович", "Романовна"),
        ("Олег", "Олегович", "Олеговна"), ("Виктор", "Викторович", "Викторовна"),
        ("Николай", "Николаевич", "Николаевна"), ("Юрий", "Юрьевич", "Юрьевна"),
        ("Игорь", "Игоревич", "Игоревна"), ("Константин", "Константинович", "Константиновна"),
        ("Георгий", "Георгиевич", "Георгиевна"), ("Тимур", "Тимурович", "Тимуровна"),
        ("Руслан", "Русланович", "Руслановна"), ("Вадим", "Вадимович", "Вадимовна"),
    ];

    private static readonly string[] FemaleNames =
    [
        "Анна", "Мария", "Елена", "Ольга", "Наталья", "Екатерина", "Татьяна", "Ирина", "Светлана", "Юлия",
        "Анастасия", "Дарья", "Полина", "Виктория", "Ксения", "Алина", "Марина", "Людмила", "Галина", "Валерия",
        "Софья", "Вера", "Надежда", "Любовь", "Кристина", "Евгения",
    ];

    private static readonly string[] LastNames =
    [
        "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров",
        "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев",
        "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
        "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
        "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов",
        "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров",
        "Островский", "Вишневский", "Шевченко", "Бондаренко", "Толстой", "Горький", "Крылов", "Гончаров", "Тихонов", "Калинин",
    ];

    private static readonly string[] Tariffs = ["Базовый", "Стандарт", "Премиум", "Семейный", "Бизнес"];

    private static readonly int[] RegionWeights = RussianRegions.All.Select(r => r.PopulationThousands).ToArray();
    private static readonly int TotalWeight = RegionWeights.Sum();

    /// <summary>Clients <paramref name="from"/> .. <paramref name="from"/>+<paramref name="count"/>-1, lazily.</summary>
    public static IEnumerable<DemoClient> Generate(long from, long count, DateTime referenceDate, ulong seed = 20261125)
    {
        for (var i = from; i < from + count; i++)
        {
            yield return Create(i, referenceDate, seed);
        }
    }

    public static DemoClient Create(long index, DateTime referenceDate, ulong seed = 20261125)
    {
        var rng = new SplitMix64(seed ^ (ulong)index * 0x9E3779B97F4A7C15UL);
        var today = referenceDate.Date;

        var gender = rng.Next(2) == 0 ? Gender.Male : Gender.Female;
        var father = MaleNames[rng.Next(MaleNames.Length)];
        var first = gender == Gender.Male ? MaleNames[rng.Next(MaleNames.Length)].Name : FemaleNames[rng.Next(FemaleNames.Length)];
        var middle = gender == Gender.Male ? father.Patronymic : father.PatronymicF;
        var last = LastNames[rng.Next(LastNames.Length)];
        if (gender == Gender.Female)
        {
            last = FeminineSurname(last);
        }

        var region = PickRegion(ref rng);
        var city = region.Cities[rng.Next(region.Cities.Count)];
        var age = 18 + (int)Math.Min(62, Math.Abs(rng.NextGaussian() * 14 + 22));
        var birth = DateOnly.FromDateTime(today).AddYears(-age).AddDays(-rng.Next(365));
        var registered = today.AddDays(-rng.Next(8 * 365)).AddSeconds(rng.Next(86400));

        var statusRoll = rng.Next(100);
        var status = statusRoll < 92 ? ClientStatus.Active : statusRoll < 98 ? ClientStatus.Inactive : ClientStatus.Blocked;
        var purchases = rng.Next(100) < 15 ? 0 : (int)Math.Min(400, Math.Exp(rng.NextGaussian() * 1.1 + 2));
        var spend = purchases == 0 ? 0m : Math.Round((decimal)(purchases * Math.Exp(rng.NextGaussian() * 0.6 + 7.2)), 2);
        var tier = spend switch { > 400_000m => LoyaltyTier.Platinum, > 120_000m => LoyaltyTier.Gold, > 30_000m => LoyaltyTier.Silver, _ => LoyaltyTier.None };
        var lastPurchase = purchases == 0 ? (DateTime?)null : Later(registered, today.AddDays(-rng.Next(Math.Max(1, purchases > 20 ? 60 : 400))));
        var lastActivity = Later(registered, today.AddDays(-rng.Next(180)).AddSeconds(rng.Next(86400)));
        var balance = Math.Round((decimal)(rng.NextDouble() * 5000 - 500), 2);
        var consentAt = registered.AddMinutes(rng.Next(60));

        return new DemoClient(
            ExternalId: ExternalIdPrefix + index.ToString("D8"),
            Phone: PhoneFor(index),
            FirstName: first, MiddleName: middle, LastName: last, Gender: gender,
            BirthDate: birth,
            Language: rng.Next(100) < 97 ? "ru" : "en",
            RegionCode: region.Code, City: city, TimeZone: region.TimeZone,
            Status: status, RegisteredAt: registered, LoyaltyTier: tier,
            Balance: balance, TotalSpend: spend, PurchaseCount: purchases,
            LastPurchaseAt: lastPurchase, LastActivityAt: lastActivity,
            ServiceConsent: rng.Next(100) < 97, AdvertisingConsent: rng.Next(100) < 62,
            ConsentAt: consentAt,
            OptedOutAt: rng.Next(100) < 3 ? Later(consentAt, today.AddDays(-rng.Next(365))) : null,
            Tariff: Tariffs[rng.Next(Tariffs.Length)],
            Operator: MobileOperators.Of(PhoneFor(index)));
    }

    /// <summary>
    /// Unique for every index below 60 x 10^7: the DEF code cycles, and the subscriber part walks
    /// 10^7 with a step coprime to it, so no two indexes share a number.
    /// </summary>
    public static string PhoneFor(long index)
    {
        var def = DefCodes[index % DefCodes.Length];
        var subscriber = (index / DefCodes.Length * 7_919 + 1_234_567) % 10_000_000;
        return $"+7{def}{subscriber:D7}";
    }

    private static DateTime Later(DateTime a, DateTime b) => a > b ? a : b;

    private static string FeminineSurname(string male) => male switch
    {
        _ when male.EndsWith("ий", StringComparison.Ordinal) || male.EndsWith("ой", StringComparison.Ordinal) => male[..^2] + "ая",
        _ when male.EndsWith("ов", StringComparison.Ordinal) || male.EndsWith("ев", StringComparison.Ordinal) ||
               male.EndsWith("ёв", StringComparison.Ordinal) || male.EndsWith("ин", StringComparison.Ordinal) => male + "а",
        _ => male,
    };

    private static Region PickRegion(ref SplitMix64 rng)
    {
        var roll = rng.Next(TotalWeight);
        for (var i = 0; i < RegionWeights.Length; i++)
        {
            roll -= RegionWeights[i];
            if (roll < 0)
            {
                return RussianRegions.All[i];
            }
        }
        return RussianRegions.All[^1];
    }

    /// <summary>A tiny, fast, stable PRNG: System.Random's seeded sequence is not promised across runtimes.</summary>
    private struct SplitMix64(ulong state)
    {
        private ulong _state = state;

        public ulong NextULong()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public int Next(int maxExclusive) => (int)(NextULong() % (ulong)maxExclusive);

        public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

        public double NextGaussian()
        {
            var u1 = 1.0 - NextDouble();
            var u2 = NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
    }
}
