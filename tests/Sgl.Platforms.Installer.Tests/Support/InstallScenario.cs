using System.Security;
using Sgl.Platforms.Selection;
using Sgl.Platforms.Testing;

namespace Sgl.Platforms.Installer.Tests.Support;

/// <summary>
/// One install scenario in a temporary folder: a plugins home, a working directory with its own
/// NuGet.config, a local folder feed and a fake system root for the host's probes.
/// </summary>
internal sealed class InstallScenario : IDisposable
{
    public InstallScenario()
    {
        Root = Path.Combine(Path.GetTempPath(), "sgl-install-" + Guid.NewGuid().ToString("N")[..12]);
        Home = Path.Combine(Root, "home");
        WorkingDirectory = Directory.CreateDirectory(Path.Combine(Root, "work")).FullName;
        Feed = new TestFeed(Path.Combine(Root, "feed"));
        UseSources(("local", Feed.Folder));
    }

    public string Root { get; }

    public string Home { get; }

    public string WorkingDirectory { get; }

    public TestFeed Feed { get; }

    public FakeSystemRoot System { get; } = new();

    public string LockFilePath => Path.Combine(Home, "platforms.lock.json");

    /// <summary>Writes the working directory's NuGet.config: the given sources (clearing inherited ones) plus any extra XML.</summary>
    public void UseSources(params (string Name, string Value)[] sources) => WriteNuGetConfig(sources);

    public void WriteNuGetConfig((string Name, string Value)[] sources, string extra = "", IEnumerable<string>? insecure = null)
    {
        var adds = string.Join("\n", sources.Select(s =>
            $"    <add key=\"{SecurityElement.Escape(s.Name)}\" value=\"{SecurityElement.Escape(s.Value)}\"{((insecure ?? []).Contains(s.Name) ? " allowInsecureConnections=\"true\"" : "")} />"));
        File.WriteAllText(Path.Combine(WorkingDirectory, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
            {adds}
              </packageSources>
            {extra}
            </configuration>
            """);
    }

    public PluginInstaller Installer() => new(new PluginInstallerOptions { PlatformsHome = Home, WorkingDirectory = WorkingDirectory, LockTimeout = TimeSpan.FromMinutes(2) });

    public Task<InstalledPlugin> InstallAsync(string id, string? version = null) =>
        Installer().InstallAsync(new PluginInstallRequest(id) { Version = version }, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>Runs the host's selection against this home and fake machine.</summary>
    public SelectionReport Resolve(string? platform = null) =>
        new PlatformResolver(new PlatformOptions
        {
            PlatformsHome = Home,
            SystemRoot = System.Root,
            ProbeTimeoutMs = "3000",
            Platform = platform,
        }, logger: null, entryAssembly: null).Resolve();

    /// <summary>Everything under the home except the transient install lock, with content hashes, to prove an operation changed nothing.</summary>
    public Dictionary<string, string> Snapshot() =>
        !Directory.Exists(Home)
            ? []
            : Directory.EnumerateFiles(Home, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(f) != ".install.lock")
                .ToDictionary(f => Path.GetRelativePath(Home, f), f => Convert.ToBase64String(global::System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    public void Dispose()
    {
        System.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Loaded plugin files may be held open; the temp directory is cleaned by the OS.
        }
    }
}
