namespace Portal.Domain.Clients;

/// <summary>A region of Russia: its code, names, IANA time zone and main cities.</summary>
public sealed record Region(string Code, string NameRu, string NameEn, string TimeZone, int PopulationThousands, IReadOnlyList<string> Cities);

/// <summary>
/// The regions Portal knows, with the time zone used for quiet hours when a client's own is not
/// given. Codes follow ISO 3166-2:RU without the country prefix.
/// </summary>
public static class RussianRegions
{
    public static IReadOnlyList<Region> All { get; } =
    [
        new("MOW", "Москва", "Moscow", "Europe/Moscow", 13100, ["Москва", "Зеленоград"]),
        new("MOS", "Московская область", "Moscow Oblast", "Europe/Moscow", 8600, ["Балашиха", "Подольск", "Химки", "Мытищи", "Королёв"]),
        new("SPE", "Санкт-Петербург", "Saint Petersburg", "Europe/Moscow", 5600, ["Санкт-Петербург", "Колпино", "Пушкин"]),
        new("LEN", "Ленинградская область", "Leningrad Oblast", "Europe/Moscow", 2000, ["Гатчина", "Выборг", "Всеволожск"]),
        new("KDA", "Краснодарский край", "Krasnodar Krai", "Europe/Moscow", 5800, ["Краснодар", "Сочи", "Новороссийск", "Армавир"]),
        new("ROS", "Ростовская область", "Rostov Oblast", "Europe/Moscow", 4100, ["Ростов-на-Дону", "Таганрог", "Шахты"]),
        new("TA", "Республика Татарстан", "Tatarstan", "Europe/Moscow", 4000, ["Казань", "Набережные Челны", "Альметьевск"]),
        new("BA", "Республика Башкортостан", "Bashkortostan", "Asia/Yekaterinburg", 4000, ["Уфа", "Стерлитамак", "Салават"]),
        new("NIZ", "Нижегородская область", "Nizhny Novgorod Oblast", "Europe/Moscow", 3100, ["Нижний Новгород", "Дзержинск", "Арзамас"]),
        new("SAM", "Самарская область", "Samara Oblast", "Europe/Samara", 3100, ["Самара", "Тольятти", "Сызрань"]),
        new("SVE", "Свердловская область", "Sverdlovsk Oblast", "Asia/Yekaterinburg", 4200, ["Екатеринбург", "Нижний Тагил", "Каменск-Уральский"]),
        new("CHE", "Челябинская область", "Chelyabinsk Oblast", "Asia/Yekaterinburg", 3400, ["Челябинск", "Магнитогорск", "Златоуст"]),
        new("PER", "Пермский край", "Perm Krai", "Asia/Yekaterinburg", 2500, ["Пермь", "Березники", "Соликамск"]),
        new("VGG", "Волгоградская область", "Volgograd Oblast", "Europe/Volgograd", 2400, ["Волгоград", "Волжский", "Камышин"]),
        new("SAR", "Саратовская область", "Saratov Oblast", "Europe/Saratov", 2400, ["Саратов", "Энгельс", "Балаково"]),
        new("VOR", "Воронежская область", "Voronezh Oblast", "Europe/Moscow", 2300, ["Воронеж", "Борисоглебск", "Россошь"]),
        new("NVS", "Новосибирская область", "Novosibirsk Oblast", "Asia/Novosibirsk", 2800, ["Новосибирск", "Бердск", "Искитим"]),
        new("OMS", "Омская область", "Omsk Oblast", "Asia/Omsk", 1900, ["Омск", "Тара", "Исилькуль"]),
        new("KYA", "Красноярский край", "Krasnoyarsk Krai", "Asia/Krasnoyarsk", 2800, ["Красноярск", "Норильск", "Ачинск"]),
        new("IRK", "Иркутская область", "Irkutsk Oblast", "Asia/Irkutsk", 2300, ["Иркутск", "Братск", "Ангарск"]),
        new("KEM", "Кемеровская область", "Kemerovo Oblast", "Asia/Novokuznetsk", 2600, ["Кемерово", "Новокузнецк", "Прокопьевск"]),
        new("TYU", "Тюменская область", "Tyumen Oblast", "Asia/Yekaterinburg", 1600, ["Тюмень", "Тобольск", "Ишим"]),
        new("KHA", "Хабаровский край", "Khabarovsk Krai", "Asia/Vladivostok", 1300, ["Хабаровск", "Комсомольск-на-Амуре"]),
        new("PRI", "Приморский край", "Primorsky Krai", "Asia/Vladivostok", 1800, ["Владивосток", "Уссурийск", "Находка"]),
        new("KGD", "Калининградская область", "Kaliningrad Oblast", "Europe/Kaliningrad", 1000, ["Калининград", "Советск", "Черняховск"]),
        new("SA", "Республика Саха (Якутия)", "Sakha (Yakutia)", "Asia/Yakutsk", 1000, ["Якутск", "Нерюнгри", "Мирный"]),
        new("KAM", "Камчатский край", "Kamchatka Krai", "Asia/Kamchatka", 290, ["Петропавловск-Камчатский", "Елизово"]),
        new("MAG", "Магаданская область", "Magadan Oblast", "Asia/Magadan", 135, ["Магадан"]),
        new("SAK", "Сахалинская область", "Sakhalin Oblast", "Asia/Sakhalin", 460, ["Южно-Сахалинск", "Корсаков"]),
        new("UD", "Удмуртская Республика", "Udmurtia", "Europe/Samara", 1450, ["Ижевск", "Сарапул", "Воткинск"]),
    ];

    private static readonly Dictionary<string, Region> ByCode = All.ToDictionary(r => r.Code, StringComparer.OrdinalIgnoreCase);

    public static Region? Find(string? code) => code is not null && ByCode.TryGetValue(code, out var r) ? r : null;

    /// <summary>The time zone for a region, Moscow time when the region is unknown.</summary>
    public static string TimeZoneOf(string? regionCode) => Find(regionCode)?.TimeZone ?? "Europe/Moscow";
}
