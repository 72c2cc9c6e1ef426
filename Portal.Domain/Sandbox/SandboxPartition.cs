using Portal.Domain.Clients;
using Portal.Domain.Common;

namespace Portal.Domain.Sandbox;

/// <summary>
/// Issue 18, item 4: the training sandbox is a partition, not a copy of the database. A client,
/// segment, template or campaign whose <c>SandboxOwnerId</c> is a user's id belongs to that user's
/// sandbox; null is the real data. Every query that reads clients, audiences, templates or
/// campaigns compares that column (real pages with null, the sandbox with the trainee's id), and
/// routing reads it from the campaign (ADR 0015). One column, no tenant table: the existing
/// queries only gain one equality.
/// </summary>
public static class SandboxPartition
{
    /// <summary>Synthetic clients a fresh sandbox gets.</summary>
    public const int SyntheticClients = 24;

    /// <summary>
    /// Synthetic phones live in one reserved block, +7 999 000 0000 to +7 999 009 9999 (a MegaFon
    /// DEF code, so they validate and route like real numbers); the simulator answers only numbers
    /// in it, and the sandbox never creates a client outside it.
    /// </summary>
    public const string PhonePrefix = "+799900";

    public const int PhoneBlockSize = 100_000;

    public static bool IsSyntheticPhone(string? phone) =>
        phone is { Length: 12 } p && p.StartsWith(PhonePrefix, StringComparison.Ordinal) && !p.AsSpan(PhonePrefix.Length).ContainsAnyExcept("0123456789");

    /// <summary>The n-th synthetic phone of the block (0-based).</summary>
    public static PhoneNumber SyntheticPhone(int n)
    {
        if (n is < 0 or >= PhoneBlockSize)
        {
            throw new DomainException("The sandbox phone block is full: reset some sandboxes.");
        }
        return PhoneNumber.Parse(PhonePrefix + n.ToString("D5", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The owner column of a row placed in a sandbox: only a new row (id 0, not yet saved) can be
    /// placed there, so real data never moves into a sandbox.
    /// </summary>
    public static string OwnerOfNewRow(long id, string ownerId) =>
        id == 0 ? Owner(ownerId) : throw new DomainException("Only a new row can be placed in a sandbox.");

    /// <summary>Checks an owner id before a row is placed in a sandbox.</summary>
    public static string Owner(string ownerId)
    {
        if (string.IsNullOrWhiteSpace(ownerId) || ownerId.Length > 450)
        {
            throw new DomainException("A sandbox belongs to a user.");
        }
        return ownerId;
    }
}
