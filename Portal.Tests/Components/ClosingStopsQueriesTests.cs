using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Npgsql;
using Portal.Components;
using Portal.Components.Pages.Admin;
using Portal.Infrastructure.Persistence;
using Portal.Tests.Infrastructure.Sync;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

/// <summary>
/// Issue 21, "cancellation from the circuit": a component's queries run on a token cancelled when the
/// component is disposed, so a closed tab stops its queries instead of leaving them to the database.
/// </summary>
public class ClosingStopsQueriesTests
{
    [Fact]
    public async Task ClosedPage_ItsWaitingQueryIsCancelledInTheDatabase()
    {
        await using var sync = await SyncHarness.CreateAsync(DatabaseProvider.Postgres);
        // Warm: the model built and a pooled connection open, so what the test waits for below is the lock,
        // not a cold start (a model build took longer than the wait on a loaded CI machine).
        Assert.Empty(await sync.Catalog.ListAsync(default));
        // Another session holds the table: the page's first query waits on the lock until it is cancelled.
        await using var locker = new NpgsqlConnection(sync.Portal.ConnectionString);
        await locker.OpenAsync();
        await using var tx = await locker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE \"SyncSources\" IN ACCESS EXCLUSIVE MODE", locker, tx))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.Services.AddLocalization();
        ctx.Services.AddSingleton(sync.Catalog);
        ctx.AddAuthorization().SetAuthorized(PortalAppFactory.AdminEmail);
        await using var observer = new NpgsqlConnection(sync.Portal.ConnectionString);
        await observer.OpenAsync();
        ctx.Render<SyncSources>();

        Assert.True(await WaitUntilAsync(() => WaitingOnLockAsync(observer), expected: 1), "the page's query never reached the database");

        await ctx.DisposeComponentsAsync();

        // Npgsql sends a cancel request when the token fires: the backend stops waiting while the lock is still held.
        Assert.True(await WaitUntilAsync(() => WaitingOnLockAsync(observer), expected: 0), "the closed page's query still waits in the database");
        await tx.RollbackAsync();
    }

    [Fact]
    public async Task Dispose_CancelsClosingBeforeTheComponentsOwnCleanUp()
    {
        await using var ctx = new BunitContext();
        var probe = ctx.Render<Probe>().Instance;
        var token = probe.Token;
        Assert.False(token.IsCancellationRequested);

        await ctx.DisposeComponentsAsync();

        Assert.True(token.IsCancellationRequested);
        Assert.True(probe.CleanedUp);
        Assert.True(probe.CancelledWhenCleaningUp);
        Assert.Equal(CancellationToken.None, Probe.WriteToken);
    }

    /// <summary>
    /// Lock requests on the table not granted yet, read from pg_locks (the lock manager's live state) on
    /// a connection of its own. The first version polled pg_stat_activity inside the locking transaction,
    /// which PostgreSQL documents as collected once per transaction, and failed twice in CI.
    /// </summary>
    private static async Task<long> WaitingOnLockAsync(NpgsqlConnection observer)
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'SyncSources' AND NOT l.granted"
            + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())", observer);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<bool> WaitUntilAsync(Func<Task<long>> read, long expected)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until)
        {
            if (await read() == expected) return true;
            await Task.Delay(50);
        }
        return false;
    }

    private sealed class Probe : PortalComponentBase
    {
        public CancellationToken Token => Closing;
        public static CancellationToken WriteToken => CompleteEvenIfClosed;
        public bool CleanedUp { get; private set; }
        public bool CancelledWhenCleaningUp { get; private set; }

        protected override void BuildRenderTree(RenderTreeBuilder builder) => builder.AddContent(0, "probe");

        protected override ValueTask DisposeAsyncCore()
        {
            CleanedUp = true;
            CancelledWhenCleaningUp = Closing.IsCancellationRequested;
            return ValueTask.CompletedTask;
        }
    }
}
