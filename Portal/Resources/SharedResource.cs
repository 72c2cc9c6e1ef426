namespace Portal.Resources;

/// <summary>
/// The marker type for the UI's strings. Keys are the English text; <c>SharedResource.ru.resx</c>
/// holds the Russian. A test checks that every key used in the UI has a Russian translation.
/// </summary>
public sealed class SharedResource;
