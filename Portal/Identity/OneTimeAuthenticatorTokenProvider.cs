using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Portal.Infrastructure.Identity;

namespace Portal.Identity;

/// <summary>
/// Issue 14 (ASVS V6.5.1): an authenticator (TOTP) code is accepted once. Identity's own provider
/// accepts the same code again for as long as its window lasts, so a code seen over a shoulder or
/// in a proxy log signs in a second time. This one verifies RFC 6238 the same way (HMAC-SHA1, 30 s
/// steps, 6 digits, one step of clock drift either side) and remembers, per user, the last time
/// step it accepted (in AspNetUserTokens, no schema change): a code of that step or an earlier one
/// is refused. The write goes through the user's concurrency stamp, so two requests racing with
/// one code cannot both win.
/// </summary>
public sealed class OneTimeAuthenticatorTokenProvider : IUserTwoFactorTokenProvider<PortalUser>
{
    public const string LoginProvider = "[Portal]";
    public const string LastStepToken = "AuthenticatorLastStep";
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    public Task<string> GenerateAsync(string purpose, UserManager<PortalUser> manager, PortalUser user) => Task.FromResult(string.Empty);

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<PortalUser> manager, PortalUser user) =>
        !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<PortalUser> manager, PortalUser user)
    {
        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrWhiteSpace(key) || token.Length != 6 || !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return false;
        }
        byte[] secret;
        try
        {
            secret = FromBase32(key);
        }
        catch (FormatException)
        {
            return false;
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / (long)Step.TotalSeconds;
        var last = long.TryParse(await manager.GetAuthenticationTokenAsync(user, LoginProvider, LastStepToken), NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : long.MinValue;
        for (var step = now - 1; step <= now + 1; step++)
        {
            if (step <= last || Compute(secret, step) != code)
            {
                continue;
            }
            // Fails (ConcurrencyFailure) when another request changed the user meanwhile: refused.
            var stored = await manager.SetAuthenticationTokenAsync(user, LoginProvider, LastStepToken, step.ToString(CultureInfo.InvariantCulture));
            return stored.Succeeded;
        }
        return false;
    }

    internal static int Compute(byte[] secret, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[20];
        HMACSHA1.HashData(secret, counter, hash);
        var offset = hash[^1] & 0x0f;
        return (BinaryPrimitives.ReadInt32BigEndian(hash[offset..]) & 0x7fffffff) % 1_000_000;
    }

    internal static byte[] FromBase32(string key)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>(key.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in key)
        {
            if (c is ' ' or '=') continue;
            var value = alphabet.IndexOf(char.ToUpperInvariant(c));
            if (value < 0) throw new FormatException("The authenticator key is not Base32.");
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
