namespace Portal.Cli;

/// <summary>
/// Command-line verbs: <c>dotnet run --project Portal -- VERB [options]</c>.
/// Without a verb Portal runs as a web application. Each verb lives in its own file here.
/// </summary>
public static class CliVerbs
{
    private static readonly Dictionary<string, Func<string[], Task<int>>> Verbs = new(StringComparer.OrdinalIgnoreCase)
    {
        ["migrate"] = MigrateVerb.RunAsync,
        ["seed"] = SeedVerb.RunAsync,
        ["smsc"] = SmscVerb.RunAsync,
        ["bench"] = BenchVerb.RunAsync,
        ["rollups"] = RollupsVerb.RunAsync,
        ["verify-audit"] = VerifyAuditVerb.RunAsync,
        ["deadletters"] = DeadLettersVerb.RunAsync,
    };

    public static bool IsVerb(string[] args) => args.Length > 0 && Verbs.ContainsKey(args[0]);

    public static Task<int> RunAsync(string[] args) => Verbs[args[0]](args);

    /// <summary>Reads <c>--name value</c> from the arguments.</summary>
    public static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
