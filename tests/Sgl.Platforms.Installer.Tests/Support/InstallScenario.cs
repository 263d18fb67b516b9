using System.Diagnostics;
using System.Security;
using System.Text.Json.Nodes;
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

    public PluginInstaller Installer(PackageLimits? limits = null) => new(new PluginInstallerOptions
    {
        PlatformsHome = Home,
        WorkingDirectory = WorkingDirectory,
        LockTimeout = TimeSpan.FromMinutes(2),
        Limits = limits ?? new PackageLimits(),
    });

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

    /// <summary>Rewrites the lock file after <paramref name="edit"/> changes its JSON (a hand edit or tampering).</summary>
    public void EditLock(Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(LockFilePath))!.AsObject();
        edit(json);
        File.WriteAllText(LockFilePath, json.ToJsonString());
    }

    /// <summary>Gives <paramref name="path"/> (and what is under it) to another user, as root can.</summary>
    public static void Chown(string path, int uid)
    {
        var start = new ProcessStartInfo("chown") { RedirectStandardError = true };
        foreach (var argument in new[] { "-R", uid.ToString(global::System.Globalization.CultureInfo.InvariantCulture), path })
        {
            start.ArgumentList.Add(argument);
        }

        using var chown = Process.Start(start)!;
        var error = chown.StandardError.ReadToEnd();
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            Assert.Skip($"chown is needed to give files to another user and failed here: {error}");
        }
    }

    /// <summary>Everything under the home except the transient install lock, with content hashes, to prove an operation changed nothing.</summary>
    public Dictionary<string, string> Snapshot() =>
        !Directory.Exists(Home)
            ? []
            : Directory.EnumerateFiles(Home, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(f) is not ".install.lock" and not ".commit.lock")
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
