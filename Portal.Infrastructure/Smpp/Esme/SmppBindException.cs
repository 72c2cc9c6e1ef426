using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Infrastructure.Smpp.Esme;

/// <summary>The SMSC refused the bind (wrong credentials, too many binds, ...) or did not answer it.</summary>
public sealed class SmppBindException(CommandStatus status, string message) : Exception(message)
{
    public CommandStatus Status { get; } = status;
}
