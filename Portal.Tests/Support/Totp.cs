using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Portal.Tests.Support;

/// <summary>
/// RFC 6238 TOTP as an authenticator app computes it (HMAC-SHA1, 30 s steps, 6 digits, Base32
/// key): what ASP.NET Identity's authenticator token provider verifies. Tests sign in with it.
/// </summary>
public static class Totp
{
    private static readonly Dictionary<string, long> LastStep = [];

    /// <summary>
    /// The code for <paramref name="at"/>; without it, a code the portal has not seen yet (issue 14:
    /// each code is accepted once): the current step's, else the next one's (accepted as clock
    /// drift), waiting for the clock when both were used. Calling it for a key is using its code.
    /// </summary>
    public static string Code(string base32Key, DateTimeOffset? at = null)
    {
        if (at is { } fixedAt)
        {
            return Compute(base32Key, fixedAt.ToUnixTimeSeconds() / 30);
        }
        return Code(base32Key, "");
    }

    /// <summary>
    /// As <see cref="Code(string, DateTimeOffset?)"/>, with "once" tracked per <paramref name="scope"/>
    /// (one user in one app's database: where the portal remembers it) rather than per key.
    /// </summary>
    public static string Code(string base32Key, string scope)
    {
        var tracked = scope.Length == 0 ? base32Key : $"{base32Key}|{scope}";
        long step;
        while (true)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
            lock (LastStep)
            {
                step = Math.Max(now, LastStep.TryGetValue(tracked, out var last) ? last + 1 : now);
                if (step <= now + 1)
                {
                    LastStep[tracked] = step;
                    break;
                }
            }
            Thread.Sleep(500);
        }
        return Compute(base32Key, step);
    }

    /// <summary>A code that no step the portal accepts now (one either side) has.</summary>
    public static string Wrong(string base32Key)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
        var valid = new[] { now - 1, now, now + 1, now + 2 }.Select(s => Compute(base32Key, s)).ToHashSet();
        return Enumerable.Range(0, 10).Select(d => new string((char)('0' + d), 6)).First(c => !valid.Contains(c));
    }

    /// <summary>The code of one 30 s time step.</summary>
    public static string Compute(string base32Key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        var hash = HMACSHA1.HashData(FromBase32(base32Key), counter);
        var offset = hash[^1] & 0x0f;
        var binary = (BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset)) & 0x7fffffff) % 1_000_000;
        return binary.ToString("D6", CultureInfo.InvariantCulture);
    }

    public static byte[] FromBase32(string key)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var clean = key.Replace(" ", "").TrimEnd('=').ToUpperInvariant();
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in clean)
        {
            var value = alphabet.IndexOf(c);
            if (value < 0)
            {
                throw new FormatException($"'{c}' is not Base32");
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }
        return [.. bytes];
    }
}
