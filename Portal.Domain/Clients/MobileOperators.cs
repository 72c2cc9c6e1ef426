namespace Portal.Domain.Clients;

/// <summary>
/// The mobile operator a Russian number was issued to, from its DEF code (the three digits after
/// +7). A shipped table of the original allocations: numbers ported since (MNP) keep the
/// original operator here; routing treats it as a price hint, not a fact.
/// </summary>
public static class MobileOperators
{
    public const string Mts = "MTS";
    public const string MegaFon = "MegaFon";
    public const string Beeline = "Beeline";
    public const string T2 = "T2";
    public const string Other = "Other";

    public static IReadOnlyList<string> All { get; } = [Mts, MegaFon, Beeline, T2, Other];

    private static readonly Dictionary<string, string> ByDef = Build();

    private static Dictionary<string, string> Build()
    {
        var map = new Dictionary<string, string>();
        void Add(string op, params int[] defs)
        {
            foreach (var d in defs)
            {
                map[d.ToString()] = op;
            }
        }
        Add(Mts, 910, 911, 912, 913, 914, 915, 916, 917, 918, 919, 978, 980, 981, 982, 983, 984, 985, 986, 987, 988, 989);
        Add(MegaFon, 920, 921, 922, 923, 924, 925, 926, 927, 928, 929, 930, 931, 932, 933, 934, 936, 937, 938, 939, 997);
        Add(Beeline, 903, 905, 906, 909, 960, 961, 962, 963, 964, 965, 966, 967, 968, 969);
        Add(T2, 900, 901, 902, 904, 908, 950, 951, 952, 953, 958, 977, 991, 992, 993, 994, 995, 996, 999);
        return map;
    }

    /// <summary>The operator of an E.164 Russian mobile number; <see cref="Other"/> when unknown.</summary>
    public static string Of(string e164) =>
        e164.Length == 12 && e164.StartsWith("+79", StringComparison.Ordinal) && ByDef.TryGetValue(e164.Substring(2, 3), out var op)
            ? op
            : Other;
}
