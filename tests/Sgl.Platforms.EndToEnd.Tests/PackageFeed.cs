using System.Diagnostics;
using System.Security;
using Sgl.Platforms.Testing;

[assembly: AssemblyFixture(typeof(Sgl.Platforms.EndToEnd.Tests.PackageFeed))]

// Each journey restores, builds and publishes; running them side by side on a small CI machine only
// makes every one slower.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Sgl.Platforms.EndToEnd.Tests;

/// <summary>
/// One temporary workspace per test run: every package of the repository packed by eng/pack.sh into a
/// local feed, an isolated NuGet cache (so a stale cached package of the same version cannot hide a
/// change), the apps the journeys create, and two fake machines (one with a MUSA GPU, one bare).
/// </summary>
public sealed class PackageFeed : IDisposable
{
    private readonly Lock _hiveGate = new();
    private string? _templateHive;

    /// <summary>Creates the workspace and packs the repository into its feed.</summary>
    public PackageFeed()
    {
        RepositoryRoot = FindRepositoryRoot();
        Root = Path.Combine(Path.GetTempPath(), "sgl-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Feed = Path.Combine(Root, "feed");
        NuGetPackages = Path.Combine(Root, "nuget-packages");
        Directory.CreateDirectory(Feed);
        Directory.CreateDirectory(NuGetPackages);
        Environment = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = NuGetPackages,
            ["CONFIGURATION"] = "Release",
        };

        var watch = Stopwatch.StartNew();
        DotnetCommand.Run("bash", RepositoryRoot, Environment, Path.Combine(RepositoryRoot, "eng", "pack.sh"), Feed).EnsureSuccess();
        PackDuration = watch.Elapsed;

        MusaMachine = new FakeSystemRoot()
            .WithPciDevice(0x1ed5, 0x0400, driver: "mtgpu", address: "0000:3a:00.0")
            .WithDeviceNode("mtgpu.0");
        BareMachine = new FakeSystemRoot();
    }

    /// <summary>The repository the packages come from.</summary>
    public string RepositoryRoot { get; }

    /// <summary>The workspace folder, deleted at the end of the run.</summary>
    public string Root { get; }

    /// <summary>The local feed eng/pack.sh filled.</summary>
    public string Feed { get; }

    /// <summary>This run's NUGET_PACKAGES.</summary>
    public string NuGetPackages { get; }

    /// <summary>How long packing took.</summary>
    public TimeSpan PackDuration { get; }

    /// <summary>A machine with one Moore Threads GPU (PCI 1ed5:0400 bound to mtgpu, /dev/mtgpu.0).</summary>
    public FakeSystemRoot MusaMachine { get; }

    /// <summary>A machine with no accelerator at all.</summary>
    public FakeSystemRoot BareMachine { get; }

    /// <summary>The environment every command of the journeys runs with.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    /// <summary>The environment plus <c>SGL_SYSTEM_ROOT</c> pointing at <paramref name="machine"/>.</summary>
    public IReadOnlyDictionary<string, string?> On(FakeSystemRoot machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        return new Dictionary<string, string?>(Environment) { ["SGL_SYSTEM_ROOT"] = machine.Root };
    }

    /// <summary>Runs <c>dotnet</c> in <paramref name="workingDirectory"/> with the journey's environment.</summary>
    internal CommandResult Dotnet(string workingDirectory, params string[] arguments) =>
        DotnetCommand.Dotnet(workingDirectory, Environment, arguments).EnsureSuccess();

    /// <summary>
    /// <c>dotnet new <paramref name="template"/></c> in a fresh folder outside the repository, with a
    /// NuGet.config that knows only the local feed (for Sgl packages) and nuget.org (for the rest).
    /// </summary>
    public string NewProject(string name, string template = "console")
    {
        var folder = Path.Combine(Root, "apps", name);
        Directory.CreateDirectory(folder);
        WriteNuGetConfig(folder);
        Dotnet(folder, "new", template, "--name", name, "--output", folder, "--framework", "net10.0", "--no-restore");
        return folder;
    }

    /// <summary>A template hive of this run's own, with the template package installed from the feed (once).</summary>
    public string TemplateHive()
    {
        lock (_hiveGate)
        {
            if (_templateHive is null)
            {
                var hive = Path.Combine(Root, "template-hive");
                var package = Directory.GetFiles(Feed, "Sgl.Platform.Templates.*.nupkg").Single();
                Dotnet(Root, "new", "install", package, "--debug:custom-hive", hive);
                _templateHive = hive;
            }

            return _templateHive;
        }
    }

    /// <summary>Writes the journeys' NuGet.config (local feed for Sgl packages, nuget.org for the rest) into <paramref name="folder"/>.</summary>
    public void WriteNuGetConfig(string folder) => File.WriteAllText(Path.Combine(folder, "NuGet.config"), NuGetConfig());

    /// <inheritdoc />
    public void Dispose()
    {
        MusaMachine.Dispose();
        BareMachine.Dispose();
        if (System.Environment.GetEnvironmentVariable("SGL_E2E_KEEP") == "1")
        {
            return;
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A published app still running must not fail the run; the folder is in the temp directory.
        }
    }

    private string NuGetConfig() => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="local" value="{SecurityElement.Escape(Feed)}" />
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
          </packageSources>
          <packageSourceMapping>
            <packageSource key="local">
              <package pattern="Sgl.*" />
            </packageSource>
            <packageSource key="nuget.org">
              <package pattern="*" />
            </packageSource>
          </packageSourceMapping>
        </configuration>
        """;

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Platforms.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Platforms.sln not found above " + AppContext.BaseDirectory);
    }
}
