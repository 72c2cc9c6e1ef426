using System.Globalization;

namespace Portal.Domain.Common;

/// <summary>
/// A business rule was broken; the message says which, in words a user can act on.
/// <see cref="Text"/> is a composite format in English ("Segment {0} does not exist.") and the
/// resource key of its translations; <see cref="Args"/> fill it. The UI translates the text and
/// any enum or <see cref="DomainTerm"/> argument (Portal's <c>L.Describe(e)</c>); <see cref="Exception.Message"/>
/// is the English sentence for logs and the API.
/// </summary>
public sealed class DomainException : Exception
{
    public DomainException(string text, params object?[] args)
        : base(args.Length == 0 ? text : string.Format(CultureInfo.InvariantCulture, text, args))
    {
        Text = text;
        Args = args;
    }

    public string Text { get; }

    public IReadOnlyList<object?> Args { get; }

    /// <summary>
    /// The message with only the arguments that are nobody's data (numbers, <see cref="DomainTerm"/>s);
    /// any other (a time zone, a name someone typed) as "…": for text that is stored or logged.
    /// </summary>
    public string WithoutValues => Args.Count == 0 ? Message
        : string.Format(CultureInfo.InvariantCulture, Text, Args.Select(a => a is DomainTerm or int or long or decimal ? a : "…").ToArray());
}

/// <summary>A word or phrase inside a domain error that the UI translates too ("schedule", "client").</summary>
public readonly record struct DomainTerm(string Text)
{
    public override string ToString() => Text;
}
