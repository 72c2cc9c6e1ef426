using Portal.Domain.Sandbox;

namespace Portal.Infrastructure.Sending;

/// <summary>
/// Issue 18: what the built-in simulator answers to training-sandbox sends, so trainees practise
/// the inbox (replies and opt-outs). Only synthetic phones (<see cref="SandboxPartition.IsSyntheticPhone"/>)
/// are ever answered; a trainer changes the rule on the sandbox page. Held per node (the
/// simulator is per node too); a restart goes back to the defaults of section <c>Sandbox</c>.
/// </summary>
public sealed class SandboxReplies
{
    public const string Section = "Sandbox";

    private long _count;

    /// <summary>Answer sandbox sends at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Every n-th sandbox message gets a reply (0: none).</summary>
    public int ReplyEvery { get; set; } = 2;

    /// <summary>Every n-th sandbox message gets "STOP" instead (0: none); wins over a reply.</summary>
    public int StopEvery { get; set; } = 5;

    public static IReadOnlyList<string> Replies { get; } =
        ["Yes, interested", "Да, интересно", "When does it end?", "Сколько стоит?", "Call me back please"];

    /// <summary>The simulator's <see cref="Smpp.Simulator.SmscSimulatorOptions.AutoReply"/> rule.</summary>
    public string? Answer(string phone, string text)
    {
        if (!Enabled || !SandboxPartition.IsSyntheticPhone(phone)) return null;
        var n = Interlocked.Increment(ref _count);
        if (StopEvery > 0 && n % StopEvery == 0) return "STOP";
        if (ReplyEvery > 0 && n % ReplyEvery == 0) return Replies[(int)(n / ReplyEvery % Replies.Count)];
        return null;
    }
}
