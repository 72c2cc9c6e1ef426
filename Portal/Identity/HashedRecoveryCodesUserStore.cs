using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;

namespace Portal.Identity;

/// <summary>
/// Issue 14 (ASVS V6.5.2): Identity's EF store keeps recovery codes in clear in AspNetUserTokens
/// ("[AspNetUserStore]" / "RecoveryCodes", joined with ';'): anyone who reads the table (a backup,
/// a read-only reporting role) could sign in as any user. This store keeps only a salted SHA-256
/// of each code. Recovery codes are random (Identity makes them from a CSPRNG) and redeeming is
/// rate-limited and locked out, so a fast hash is enough; the user id salts it so equal codes of
/// two users do not match. Codes still stored in clear by an older version are accepted once and
/// the remaining ones rewritten hashed.
/// </summary>
public sealed class HashedRecoveryCodesUserStore(PortalDbContext context, IdentityErrorDescriber? describer = null)
    : UserStore<PortalUser, IdentityRole, PortalDbContext>(context, describer)
{
    internal const string HashedPrefix = "h1:";
    private const string InternalLoginProvider = "[AspNetUserStore]";
    private const string RecoveryCodeTokenName = "RecoveryCodes";

    public override Task ReplaceCodesAsync(PortalUser user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken = default) =>
        base.ReplaceCodesAsync(user, recoveryCodes.Select(code => code.StartsWith(HashedPrefix, StringComparison.Ordinal) ? code : Hash(user.Id, code)), cancellationToken);

    public override async Task<bool> RedeemCodeAsync(PortalUser user, string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var merged = await GetTokenAsync(user, InternalLoginProvider, RecoveryCodeTokenName, cancellationToken) ?? "";
        var stored = merged.Split(';', StringSplitOptions.RemoveEmptyEntries);
        var hashed = Hash(user.Id, code);
        var match = stored.FirstOrDefault(s => s.StartsWith(HashedPrefix, StringComparison.Ordinal)
            ? CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), Encoding.ASCII.GetBytes(hashed))
            : CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(s), Encoding.UTF8.GetBytes(code)));
        if (match is null)
        {
            return false;
        }
        await ReplaceCodesAsync(user, stored.Where(s => !ReferenceEquals(s, match)), cancellationToken);
        return true;
    }

    internal static string Hash(string userId, string code) =>
        HashedPrefix + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(userId + ":" + code)));
}
