using System.Text.Json;

namespace Portal.Infrastructure.Messaging;

internal static class MessageJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static byte[] Serialize<T>(T message) => JsonSerializer.SerializeToUtf8Bytes(message, Options);

    /// <summary>A body that is not a <typeparamref name="T"/> throws <see cref="JsonException"/>: it can never succeed, so it is dead-lettered at once.</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> body) =>
        JsonSerializer.Deserialize<T>(body, Options) ?? throw new JsonException($"The message body is null, not a {typeof(T).Name}.");
}
