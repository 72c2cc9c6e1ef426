using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Access;
using Portal.Domain.Departments;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Persistence;

namespace Portal.Infrastructure.Seeding;

/// <summary>A login created by seeding, shown once on the console and never stored in clear.</summary>
public sealed record SeededLogin(string Role, string Email, string Password);

/// <summary>
/// Fills an empty database: roles always; departments, one user per role and demo clients
/// when the database has no users yet. Runs once: a database with users is left alone.
/// </summary>
public sealed class DemoDataSeeder(
    PortalDbContext db,
    UserManager<PortalUser> users,
    RoleManager<IdentityRole> roles,
    IOptions<SeedOptions> options,
    TimeProvider clock,
    ILogger<DemoDataSeeder> logger)
{
    private static readonly string[] DepartmentNames = ["Маркетинг", "Клиентский сервис", "Финансы", "Аналитика", "Безопасность"];

    /// <summary>The PostgreSQL advisory lock the seeding runs under (an arbitrary key of its own).</summary>
    private const string TryLockSql = "SELECT pg_try_advisory_lock(1592590355) AS \"Value\"", UnlockSql = "SELECT pg_advisory_unlock(1592590355)";

    /// <returns>The logins created now; empty when the database was already seeded.</returns>
    public async Task<IReadOnlyList<SeededLogin>> SeedAsync(CancellationToken ct)
    {
        // Issue 13: nodes started together on one empty PostgreSQL all found "no users" and all
        // seeded: the losers' start failed on the duplicate administrator. One at a time, under an
        // advisory lock; the next finds the users and seeds nothing. (SQLite: one node, one file.)
        if (!db.Database.IsNpgsql())
        {
            return await SeedOnceAsync(ct);
        }
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await LockAsync(ct);
            try
            {
                return await SeedOnceAsync(ct);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync(UnlockSql, CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Waits for the seeding lock as long as a peer holds it. A blocking <c>pg_advisory_lock</c> waited
    /// inside one command and failed at the command timeout (30 s): in a chaos run at load ~40 a node
    /// started beside a seeding peer crashed at start on "Timeout during reading attempt". Polling with
    /// <c>pg_try_advisory_lock</c> keeps every statement short, however long the peer takes.
    /// </summary>
    private async Task LockAsync(CancellationToken ct)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var nextNote = TimeSpan.FromSeconds(30);
        while (!await db.Database.SqlQueryRaw<bool>(TryLockSql).SingleAsync(ct))
        {
            if (waited.Elapsed >= nextNote)
            {
                logger.LogInformation("Waiting {Seconds:F0} s for another node to finish seeding the database", waited.Elapsed.TotalSeconds);
                nextNote += TimeSpan.FromSeconds(30);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
    }

    private async Task<IReadOnlyList<SeededLogin>> SeedOnceAsync(CancellationToken ct)
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)), $"role {role}");
            }
        }
        if (await db.Users.AnyAsync(ct))
        {
            return [];
        }

        var o = options.Value;
        var logins = new List<SeededLogin>();
        var admin = await CreateUserAsync(o.AdminEmail, "Администратор", Roles.Administrator, null, o.AdminPassword, logins);
        if (!o.DemoData)
        {
            return logins;
        }

        var departments = DepartmentNames.Select(n => new Department(n)).ToList();
        db.Departments.AddRange(departments);
        await db.SaveChangesAsync(ct);
        var marketing = departments[0].Id;
        await CreateUserAsync("campaigns@portal.local", "Ольга Смирнова", Roles.CampaignManager, marketing, null, logins);
        await CreateUserAsync("manager@portal.local", "Игорь Петров", Roles.Manager, marketing, null, logins);
        await CreateUserAsync("analyst@portal.local", "Анна Кузнецова", Roles.Analyst, departments[3].Id, null, logins);
        await CreateUserAsync("trainer@portal.local", "Сергей Волков", Roles.Trainer, departments[1].Id, null, logins);
        await CreateUserAsync("auditor@portal.local", "Марина Орлова", Roles.Auditor, departments[4].Id, null, logins);

        // A base that already holds clients (filled by the seed verb, an import or a sync before the
        // first start) gets no demo clients or demo campaigns: writing them over it failed on the
        // first duplicate and stopped the node at start, after the users were made.
        if (await db.Clients.AnyAsync(ct))
        {
            logger.LogInformation("The client base already holds clients: no demo clients or past campaigns added");
            return logins;
        }
        var written = await DemoClientWriter.WriteAsync(db,
            DemoClientGenerator.Generate(0, o.DemoClients, clock.GetUtcNow().UtcDateTime), null, ct);
        var history = o.DemoHistory ? await DemoHistory.WriteAsync(db, marketing, "campaigns@portal.local", clock.GetUtcNow().UtcDateTime, ct) : [];
        logger.LogInformation("Seeded {Departments} departments, {Users} users, {Clients} demo clients and {Campaigns} past campaigns (admin {AdminId})",
            departments.Count, logins.Count, written, history.Count, admin.Id);
        return logins;
    }

    private async Task<PortalUser> CreateUserAsync(string email, string name, string role, int? departmentId, string? password, List<SeededLogin> logins)
    {
        var user = new PortalUser
        {
            UserName = email, Email = email, EmailConfirmed = true, DisplayName = name,
            DepartmentId = departmentId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        password = string.IsNullOrEmpty(password) ? GeneratePassword() : password;
        Check(await users.CreateAsync(user, password), $"user {email}");
        Check(await users.AddToRoleAsync(user, role), $"role of {email}");
        logins.Add(new SeededLogin(role, email, password));
        return user;
    }

    /// <summary>16 characters from every class Identity may require, from a CSPRNG.</summary>
    public static string GeneratePassword()
    {
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", lower = "abcdefghijkmnopqrstuvwxyz", digits = "23456789", symbols = "!@#$%*-_+=?";
        const string all = upper + lower + digits + symbols;
        var chars = new char[16];
        chars[0] = upper[RandomNumberGenerator.GetInt32(upper.Length)];
        chars[1] = lower[RandomNumberGenerator.GetInt32(lower.Length)];
        chars[2] = digits[RandomNumberGenerator.GetInt32(digits.Length)];
        chars[3] = symbols[RandomNumberGenerator.GetInt32(symbols.Length)];
        for (var i = 4; i < chars.Length; i++)
        {
            chars[i] = all[RandomNumberGenerator.GetInt32(all.Length)];
        }
        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Seeding {what} failed: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }
}
