using Portal.Domain.Access;
using Portal.Domain.Tours;

namespace Portal.Infrastructure.Tours;

/// <summary>A tour shipped with Portal: seeded from code, re-versioned when its steps change here.</summary>
public sealed record BuiltInTour(string Key, string TitleEn, string TitleRu, IReadOnlyList<string> Roles, IReadOnlyList<TourStep> Steps);

/// <summary>
/// Issue 18: the built-in tours, one per main job. Anchors are <c>data-tour</c> attributes on the
/// real controls; <c>TourAnchorSourceTests</c> and <c>TourPlaybackTests</c> fail when one is renamed.
/// Roles mirror the page policies, so nobody is offered a tour of a page they cannot open.
/// </summary>
public static class BuiltInTours
{
    public const string Orientation = "orientation";
    public const string Import = "import-clients";
    public const string Audience = "build-audience";
    public const string Template = "write-template";
    public const string Campaign = "create-campaign";
    public const string Dashboard = "live-dashboard";
    public const string Results = "campaign-results";
    public const string Inbox = "replies-opt-outs";
    public const string Provider = "configure-provider";

    private static readonly string[] Everyone = [];
    private static readonly string[] AudienceRoles = [Roles.Administrator, Roles.CampaignManager, Roles.Manager, Roles.Analyst];
    private static readonly string[] CampaignRoles = [Roles.Administrator, Roles.CampaignManager, Roles.Manager];

    private static TourStep S(string route, string anchor, string titleEn, string titleRu, string en, string ru, TourWait wait = TourWait.None, string? target = null) =>
        new(route, anchor, titleEn, titleRu, en, ru, wait, target);

    public static IReadOnlyList<BuiltInTour> All { get; } =
    [
        new(Orientation, "First steps in Portal", "Первые шаги в Portal", Everyone,
        [
            S("", "overview-stats", "Overview", "Обзор",
                "The overview shows the size of the client base, how many clients may receive advertising and how many opted out.",
                "Обзор показывает размер клиентской базы, сколько клиентов можно звать рекламой и сколько отписались."),
            S("", "app-menu", "Menu", "Меню",
                "The menu opens every area your role may use: clients, audiences, templates, campaigns, the inbox and more. On a phone it opens from here.",
                "Меню открывает все разделы, доступные вашей роли: клиенты, аудитории, шаблоны, рассылки, входящие и другие. На телефоне оно открывается отсюда."),
            S("", "help", "Help and tours", "Помощь и туры",
                "This button offers the tours of the page you are on. Come back to it whenever a page is new to you.",
                "Эта кнопка предлагает туры по странице, на которой вы находитесь. Возвращайтесь к ней, когда страница вам незнакома."),
            S("", "language", "Language", "Язык",
                "Switch between English and Russian here; tours follow your language.",
                "Здесь переключается язык: английский или русский. Туры идут на вашем языке."),
            S("", "account", "Your account", "Ваша учётная запись",
                "Change your password, set up two-factor authentication and sign out from this menu.",
                "В этом меню можно сменить пароль, настроить двухфакторную аутентификацию и выйти."),
        ]),
        new(Import, "Import clients", "Импорт клиентов", Roles.WithPersonalData,
        [
            S("clients/import", "import-file", "Choose a file", "Выберите файл",
                "Pick a CSV (UTF-8 or Windows-1251, any delimiter) or XLSX file with a header row. Portal then shows its columns with the first values.",
                "Выберите файл CSV (UTF-8 или Windows-1251, любой разделитель) или XLSX со строкой заголовков. Portal покажет его столбцы с первыми значениями."),
            S("clients/import", "import-file", "Map the columns", "Сопоставьте столбцы",
                "Each column is matched to a client field; unknown ones are marked red until you pick a field or skip them. Then choose: all or nothing, or import the valid rows and get a report of the others.",
                "Каждому столбцу сопоставляется поле клиента; неизвестные подсвечены красным, пока вы не выберете поле или не пропустите столбец. Затем выберите: всё или ничего, либо загрузить верные строки и получить отчёт об остальных."),
            S("clients/import", "import-history", "History", "История",
                "Every import is listed here with its counts; bad rows can be downloaded as a report to fix and load again.",
                "Здесь перечислены все импорты с их итогами; ошибочные строки можно скачать отчётом, исправить и загрузить снова."),
        ]),
        new(Audience, "Build an audience with nested conditions", "Аудитория с вложенными условиями", AudienceRoles,
        [
            S("segments", "segment-new", "A new audience", "Новая аудитория",
                "Audiences are saved rules that pick clients. Click \"New audience\" to start one.",
                "Аудитория — сохранённое правило, которое отбирает клиентов. Нажмите «Новая аудитория».",
                TourWait.Navigate, "segments/new"),
            S("segments/new", "segment-name", "Name it", "Назовите её",
                "A name your colleagues will recognise in the campaign wizard.",
                "Название, которое коллеги узнают в мастере рассылки."),
            S("segments/new", "rule-root", "Who is in", "Кто входит",
                "The outer group combines its conditions with ALL (AND) or ANY (OR); NOT turns the group into an exclusion.",
                "Внешняя группа объединяет условия через ВСЕ (И) или ЛЮБОЕ (ИЛИ); НЕ превращает группу в исключение."),
            S("segments/new", "add-condition", "Pick a condition", "Добавьте условие",
                "Click \"Condition\" to add one.",
                "Нажмите «Условие», чтобы добавить его.",
                TourWait.Appear, "condition"),
            S("segments/new", "condition", "A condition", "Условие",
                "Choose a criterion (city, age, spend, last purchase, consent…), an operator and a value. The count on the right updates as you type.",
                "Выберите критерий (город, возраст, сумма покупок, последняя покупка, согласие…), оператор и значение. Число справа обновляется сразу."),
            S("segments/new", "add-group", "Nest a group", "Вложите группу",
                "Click \"Group\" to nest a group: for example, clients in Moscow AND (Gold tier OR spent over 50,000).",
                "Нажмите «Группа», чтобы вложить группу: например, клиенты в Москве И (уровень Gold ИЛИ потратили больше 50 000).",
                TourWait.Appear, "nested-group"),
            S("segments/new", "nested-group", "The nested group", "Вложенная группа",
                "A nested group has its own AND/OR and NOT, to any depth. Remove it with its cross.",
                "У вложенной группы свои И/ИЛИ и НЕ, на любую глубину. Удаляется крестиком."),
            S("segments/new", "exclusions", "Always leave out", "Всегда исключать",
                "Leave out clients of other audiences or static lists. Clients who opted out are never in an audience.",
                "Исключите клиентов других аудиторий или статических списков. Отписавшиеся клиенты никогда не попадают в аудиторию."),
            S("segments/new", "audience-size", "Audience size", "Размер аудитории",
                "The live count, a sample of 20 clients and \"why is a client in or out\" check the rule before you save it.",
                "Живой подсчёт, выборка из 20 клиентов и «почему клиент входит или нет» проверяют правило до сохранения."),
        ]),
        new(Template, "Write a template", "Напишите шаблон", AudienceRoles,
        [
            S("templates", "template-new", "A new template", "Новый шаблон",
                "Templates are message texts with merge fields. Click \"New template\".",
                "Шаблон — текст сообщения с полями подстановки. Нажмите «Новый шаблон».",
                TourWait.Navigate, "templates/new"),
            S("templates/new", "template-name", "Name", "Название",
                "The name shown in the campaign wizard.",
                "Название, которое видно в мастере рассылки."),
            S("templates/new", "merge-fields", "Merge fields", "Поля подстановки",
                "Insert a client's field such as {{ client.first_name }}; each client gets their own value. Filters like default: give a fallback.",
                "Вставьте поле клиента, например {{ client.first_name }}: каждый клиент получит своё значение. Фильтры вроде default: задают запасное значение."),
            S("templates/new", "template-body", "The text", "Текст",
                "Liquid syntax errors are shown with line and column as you type.",
                "Ошибки синтаксиса Liquid показываются со строкой и столбцом прямо при наборе."),
            S("templates/new", "template-preview-panel", "Preview, encoding and parts", "Предпросмотр, кодировка и части",
                "The preview fills the fields for a sample client. GSM-7 fits 160 characters in one part; one Cyrillic or emoji character switches the whole text to UCS-2 (70 per part), and each part is paid for.",
                "Предпросмотр подставляет поля для примера клиента. В GSM-7 в одну часть входит 160 символов; один кириллический символ или эмодзи переводит весь текст в UCS-2 (70 в части), а каждая часть оплачивается."),
            S("templates/new", "template-save", "Save", "Сохранить",
                "Every saved text is kept as a version you can restore.",
                "Каждый сохранённый текст остаётся версией, которую можно восстановить."),
        ]),
        new(Campaign, "Create, schedule and approve a campaign", "Создание, расписание и согласование рассылки", CampaignRoles,
        [
            S("campaigns", "campaign-new", "A new campaign", "Новая рассылка",
                "Click \"New campaign\" to open the wizard.",
                "Нажмите «Новая рассылка», чтобы открыть мастер.",
                TourWait.Navigate, "campaigns/new"),
            S("campaigns/new", "campaign-name", "Name", "Название",
                "A name for the list, the dashboard and the reports.",
                "Название для списка, панели и отчётов."),
            S("campaigns/new", "wizard-steps", "Five steps", "Пять шагов",
                "Audience, message, schedule, test send and review. The schedule step sends now, at a time or on a cron; quiet hours follow each client's time zone.",
                "Аудитория, сообщение, расписание, тестовая отправка и проверка. Расписание: сейчас, в заданное время или по cron; тихие часы считаются по часовому поясу клиента."),
            S("campaigns/new", "campaign-audience", "Audience", "Аудитория",
                "Pick a saved audience; the live count shows who will get the message.",
                "Выберите сохранённую аудиторию; живой подсчёт показывает, кто получит сообщение."),
            S("campaigns/new", "campaign-exclusions", "Exclusions", "Исключения",
                "Leave out clients of other audiences, for example those who got a message this week.",
                "Исключите клиентов других аудиторий, например тех, кто уже получил сообщение на этой неделе."),
            S("campaigns/new", "wizard-save", "Save a draft", "Сохраните черновик",
                "Save at any step and come back later.",
                "Сохраняйте на любом шаге и возвращайтесь позже."),
            S("campaigns/new", "wizard-next", "Review and approval", "Проверка и согласование",
                "The review shows the cost estimate. Above the cost or size thresholds a manager approves the campaign on its page before it can be scheduled.",
                "На проверке видна оценка стоимости. Если рассылка дороже или больше порога, её согласует менеджер на странице рассылки, и только потом её можно запланировать."),
        ]),
        new(Dashboard, "Read the live dashboard", "Живая панель", [Roles.Administrator, Roles.Manager],
        [
            S("dashboard", "today-totals", "Today", "Сегодня",
                "Sent, delivered, failed, parts and cost since midnight, updated every second.",
                "Отправлено, доставлено, ошибок, частей и стоимость с полуночи; обновляется каждую секунду."),
            S("dashboard", "running-campaigns", "Running campaigns", "Идущие рассылки",
                "Each running campaign has a stacked bar (queued, deferred, submitted, delivered, failed, control), percent final and the estimated finish.",
                "У каждой идущей рассылки есть полоса (в очереди, отложено, передано, доставлено, ошибки, контроль), процент завершённых и оценка окончания."),
            S("dashboard", "throughput", "Speed", "Скорость",
                "Messages per second submitted and delivered over the last 15 minutes.",
                "Сообщений в секунду: передано и доставлено за последние 15 минут."),
            S("dashboard", "provider-health", "Providers", "Провайдеры",
                "Binds, window, parts per second, error and throttle rates of every provider, summed over all nodes.",
                "Соединения, окно, частей в секунду, доли ошибок и ограничений по каждому провайдеру на всех узлах."),
        ]),
        new(Results, "Read a campaign's results", "Результаты рассылки", AudienceRoles,
        [
            S("analytics", "report-table", "Campaigns side by side", "Рассылки рядом",
                "Every finished campaign with its conversions and uplift. Filters above narrow the list.",
                "Каждая завершённая рассылка с конверсиями и приростом. Фильтры выше сужают список."),
            S("analytics", "results-link", "Open one", "Откройте рассылку",
                "Click a campaign's name to open its results.",
                "Нажмите на название рассылки, чтобы открыть её результаты.",
                TourWait.Navigate, "analytics/campaigns/"),
            S("analytics/campaigns/*", "results-goal", "The goal", "Цель",
                "Which events count as a conversion and the attribution window after the message.",
                "Какие события считаются конверсией и окно атрибуции после сообщения."),
            S("analytics/campaigns/*", "results-counts", "Sent and control", "Отправленные и контроль",
                "Conversion rates of the sent and control groups with their intervals; the verdict says plainly whether the uplift is significant.",
                "Конверсия отправленной и контрольной групп с интервалами; вывод прямо говорит, значим ли прирост."),
            S("analytics/campaigns/*", "results-breakdown", "Breakdown", "Разбивка",
                "Response by region, time zone, tier, age, gender, operator, provider, parts or send hour; small groups are flagged.",
                "Отклик по региону, поясу, уровню, возрасту, полу, оператору, провайдеру, числу частей или часу отправки; малые группы отмечены."),
        ]),
        new(Inbox, "Handle replies and opt-outs", "Ответы и отписки", CampaignRoles,
        [
            S("inbox", "inbox-filters", "Filters", "Фильтры",
                "Show replies, opt-outs or resubscriptions, for one campaign or all.",
                "Показывайте ответы, отписки или повторные подписки — по одной рассылке или по всем."),
            S("inbox", "inbox-unread", "Unread", "Непрочитанные",
                "Keep only what nobody has read yet; mark a reply read once it is handled.",
                "Оставьте только непрочитанное; отмечайте ответ прочитанным, когда он обработан."),
            S("inbox", "inbox-table", "Replies", "Ответы",
                "STOP, СТОП or ОТПИСКА opt the client out at once (typos forgiven), and their remaining messages stop within seconds. START resubscribes.",
                "STOP, СТОП или ОТПИСКА сразу отписывают клиента (опечатки прощаются), и его оставшиеся сообщения останавливаются за секунды. START подписывает снова."),
        ]),
        new(Provider, "Configure a provider", "Настройка провайдера", [Roles.Administrator],
        [
            S("admin/providers", "providers-table", "Providers", "Провайдеры",
                "Every SMPP and HTTP provider with its state. The router picks the cheapest healthy one for each number.",
                "Все провайдеры SMPP и HTTP с их состоянием. Маршрутизатор выбирает для каждого номера самого дешёвого исправного."),
            S("admin/providers", "route-tool", "Route this number", "Маршрут номера",
                "Shows which provider a number would go through, and why.",
                "Показывает, через какого провайдера пойдёт номер и почему."),
            S("admin/providers", "create-provider", "Add a provider", "Добавьте провайдера",
                "Click \"New provider\".",
                "Нажмите «Новый провайдер».",
                TourWait.Appear, "provider-name"),
            S("admin/providers", "provider-name", "Name", "Название",
                "A name for reports and the route tool.",
                "Название для отчётов и инструмента маршрутов."),
            S("admin/providers", "provider-kind", "Kind", "Тип",
                "SMPP for a direct bind to the operator's SMSC, HTTP for a web API or Kannel.",
                "SMPP — прямое подключение к SMSC оператора, HTTP — веб-API или Kannel."),
            S("admin/providers", "provider-price", "Price", "Цена",
                "The default price per part; a price list per operator or prefix can be loaded later.",
                "Цена за часть по умолчанию; прайс-лист по операторам или префиксам можно загрузить позже."),
            S("admin/providers", "provider-save", "Save", "Сохранить",
                "Credentials are stored encrypted. Switch a provider on or off with its switch in the list.",
                "Учётные данные хранятся зашифрованными. Провайдер включается и выключается переключателем в списке."),
        ]),
    ];
}

/// <summary>
/// The anchors the tour editor offers per page: every page and anchor the built-in tours use
/// (which <c>TourAnchorSourceTests</c> proves exist in the .razor sources). A trainer may still
/// type any other <c>data-tour</c> value.
/// </summary>
public static class TourAnchors
{
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ByPage { get; } = BuiltInTours.All
        .SelectMany(t => t.Steps)
        .SelectMany(s => s.Wait == TourWait.Appear && s.WaitTarget is { } target ? new[] { (s.Route, s.Anchor), (s.Route, target) } : [(s.Route, s.Anchor)])
        .GroupBy(x => x.Route)
        .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(x => x.Item2).Distinct().Order()]);
}
