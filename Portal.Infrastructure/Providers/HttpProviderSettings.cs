namespace Portal.Infrastructure.Providers;

/// <summary>
/// An HTTP provider's shape: how to send (method, URL and body templates, headers), how to read
/// the answer (message id, error) and how to read its receipt and inbound callbacks. The Kannel
/// preset fills it for Kannel's sendsms interface with dlr-url callbacks.
/// </summary>
public sealed record HttpProviderSettings
{
}
