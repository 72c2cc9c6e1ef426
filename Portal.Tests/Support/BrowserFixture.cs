using Microsoft.Playwright;

namespace Portal.Tests.Support;

/// <summary>
/// One headless Debian Chromium for the end-to-end tests, driven by Playwright's bundled driver.
/// Never downloads a browser: ./test.sh installs the `chromium` package.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

    public static string ScreenshotFolder
    {
        get
        {
            var folder = Path.Combine(TestEnvironment.RepoRoot, "artifacts", "screenshots");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} not found: run ./test.sh (it installs Debian's chromium).");
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}

/// <summary>
/// The browser tests run in three collections, each with its own Chromium: in one collection they
/// queued behind each other (tour playback in four browsers alone takes minutes) and, once the
/// rest of the suite was done, ran on an idle machine for the last ten minutes of CI.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";

    /// <summary>Tour playback and the anchor picker.</summary>
    public const string Tours = "browser-tours";

    /// <summary>The long journeys: campaigns end to end, MFA, providers, the sandbox, the dashboard.</summary>
    public const string Journeys = "browser-journeys";
}

[CollectionDefinition(BrowserCollection.Tours)]
public sealed class BrowserToursCollection : ICollectionFixture<BrowserFixture>;

[CollectionDefinition(BrowserCollection.Journeys)]
public sealed class BrowserJourneysCollection : ICollectionFixture<BrowserFixture>;
