namespace Portal.Infrastructure.Messaging;

/// <summary>The message may not have been stored: the caller must treat it as not published.</summary>
public sealed class MessagePublishException(string message, Exception? innerException = null)
    : Exception(message, innerException);
