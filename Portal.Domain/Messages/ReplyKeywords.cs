using System.Text;

namespace Portal.Domain.Messages;

/// <summary>What an inbound SMS asks for. <see cref="Keyword"/> is the auto-reply rule's keyword for <see cref="ReplyIntent.AutoReply"/>.</summary>
public readonly record struct ReplyClassification(ReplyIntent Intent, string? Keyword = null)
{
    public InboundKind Kind => Intent switch
    {
        ReplyIntent.OptOut => InboundKind.OptOut,
        ReplyIntent.OptIn => InboundKind.OptIn,
        ReplyIntent.AutoReply or ReplyIntent.Reply => InboundKind.Reply,
        _ => InboundKind.Reply,
    };
}

public enum ReplyIntent
{
    Reply,
    OptOut,
    OptIn,
    AutoReply,
}

/// <summary>
/// Reads an inbound SMS the way a person would (issue 7, item 5): "STOP", "стоп!!", "CTOП" typed
/// with Latin C, T, O, "отписка 😡" and "stop please" are opt-outs; "don't stop", "стоп, а какая
/// цена?" and a sentence that merely contains "стоп" are replies.
/// <para>
/// The keyword must be the whole message or its first word, and a first word only counts when the
/// message is not a question. Letters are lowered, ё is е, Latin and Cyrillic look-alikes (C/С,
/// T/Т, O/О, P/Р …) are folded both ways, and punctuation and emoji around a word are dropped.
/// </para>
/// <para>
/// Typos are tolerated for opt-out only (Damerau-Levenshtein distance 1, keyword and word both at
/// least 4 letters, common words one letter away such as "shop", "step", "стол" excepted): a missed
/// STOP breaks the law on advertising (38-FZ art. 18), a misread one loses one client. Opt-in and
/// auto-reply keywords match exactly after folding, because a wrongly read START re-subscribes
/// someone who asked to be left alone.
/// </para>
/// </summary>
public sealed class ReplyKeywords
{
    public static readonly IReadOnlyList<string> BuiltInOptOut = ["STOP", "СТОП", "ОТПИСКА", "ОТПИСАТЬСЯ", "ОТПИСАТЬ", "UNSUBSCRIBE"];
    public static readonly IReadOnlyList<string> BuiltInOptIn = ["START", "СТАРТ", "ПОДПИСАТЬСЯ"];

    /// <summary>Real words one edit away from an opt-out keyword: never read as a typo of it.</summary>
    private static readonly HashSet<string> FalseFriends = new(StringComparer.Ordinal)
    {
        "shop", "step", "spot", "stow", "slop", "stoa", "atop", "stomp", "strop", "stoop",
        "стол", "стог", "стон", "стоя", "сноп", "описка",
    };

    private const int MinFuzzyLength = 4;

    private readonly List<string[]> _optOut;
    private readonly List<string[]> _optIn;

    /// <param name="extraOptOut">Configured opt-out keywords (<c>Inbound:OptOutKeywords</c>); a phrase of several words matches only as the whole message.</param>
    public ReplyKeywords(IEnumerable<string>? extraOptOut = null)
    {
        _optOut = [.. BuiltInOptOut.Concat(extraOptOut ?? []).Select(Words).Where(w => w.Length > 0).DistinctBy(w => string.Join(' ', w))];
        _optIn = [.. BuiltInOptIn.Select(Words)];
    }

    /// <param name="autoReplyKeywords">The enabled <see cref="AutoReplyRule.Keyword"/>s; opt-out and opt-in win over them.</param>
    public ReplyClassification Classify(string? text, IEnumerable<string>? autoReplyKeywords = null)
    {
        var words = Words(text);
        if (words.Length == 0) return new(ReplyIntent.Reply);
        // "Стоп, а какая цена?" asks something: only a message that is nothing but the keyword counts then.
        var firstWordCounts = words.Length == 1 || !(text ?? "").Contains('?');
        if (Matches(_optOut, words, firstWordCounts, fuzzy: true)) return new(ReplyIntent.OptOut);
        if (Matches(_optIn, words, firstWordCounts, fuzzy: false)) return new(ReplyIntent.OptIn);
        foreach (var keyword in autoReplyKeywords ?? [])
        {
            var k = Words(keyword);
            if (k.Length > 0 && Matches([k], words, firstWordCounts, fuzzy: false)) return new(ReplyIntent.AutoReply, keyword);
        }
        return new(ReplyIntent.Reply);
    }

    private static bool Matches(List<string[]> keywords, string[] words, bool firstWordCounts, bool fuzzy)
    {
        foreach (var keyword in keywords)
        {
            if (keyword.Length > 1)
            {
                if (keyword.AsSpan().SequenceEqual(words)) return true;
                continue;
            }
            if (words.Length > 1 && !firstWordCounts) continue;
            if (WordMatches(keyword[0], words[0], fuzzy)) return true;
        }
        return false;
    }

    private static bool WordMatches(string keyword, string word, bool fuzzy)
    {
        var forms = new[] { word, ToCyrillic(word), ToLatin(word) };
        var k = new[] { keyword, ToCyrillic(keyword), ToLatin(keyword) };
        foreach (var form in forms)
        {
            foreach (var target in k)
            {
                if (form == target) return true;
            }
        }
        if (!fuzzy || keyword.Length < MinFuzzyLength || word.Length < MinFuzzyLength) return false;
        if (forms.Any(FalseFriends.Contains)) return false;
        foreach (var form in forms)
        {
            foreach (var target in k)
            {
                if (Math.Abs(form.Length - target.Length) <= 1 && DamerauLevenshtein(form, target) <= 1) return true;
            }
        }
        return false;
    }

    /// <summary>Lowered runs of letters and digits, ё as е: punctuation, emoji and spaces separate words and are dropped.</summary>
    public static string[] Words(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var normalized = text.Normalize(NormalizationForm.FormKC).ToLowerInvariant().Replace('ё', 'е');
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= normalized.Length; i++)
        {
            var inWord = i < normalized.Length && char.IsLetterOrDigit(normalized[i]);
            if (inWord && start < 0) start = i;
            else if (!inWord && start >= 0)
            {
                words.Add(normalized[start..i]);
                start = -1;
            }
        }
        return [.. words];
    }

    // Lower-case look-alikes after ToLowerInvariant (upper-case B, H, M look like В, Н, М); 0 looks like O.
    private const string Latin = "abcehkmoptxy0";
    private const string Cyrillic = "авсенкмортху0";

    private static string ToCyrillic(string word) => Fold(word, Latin, Cyrillic, 'о');

    private static string ToLatin(string word) => Fold(word, Cyrillic, Latin, 'o');

    private static string Fold(string word, string from, string to, char zero)
    {
        var chars = word.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] == '0')
            {
                chars[i] = zero;
                continue;
            }
            var at = from.IndexOf(chars[i], StringComparison.Ordinal);
            if (at >= 0) chars[i] = to[at];
        }
        return new string(chars);
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps ("sotp").</summary>
    public static int DamerauLevenshtein(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
