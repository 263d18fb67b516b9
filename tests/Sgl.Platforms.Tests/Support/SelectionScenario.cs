using Sgl.Platforms.Selection;
using Sgl.Platforms.Testing;

namespace Sgl.Platforms.Tests.Support;

/// <summary>One selection scenario: a fake system root, a plugin directory and the settings; resolves with no entry-assembly manifest.</summary>
internal sealed class SelectionScenario : IDisposable
{
    public FakeSystemRoot Root { get; } = new();

    public string PluginDirectory { get; } = PluginCompiler.NewDirectory();

    public List<string> PluginPaths { get; } = [];

    public PlatformOptions Options { get; } = new();

    /// <summary>A unique assembly name so assembly-load checks are not confused by other tests.</summary>
    public static string UniqueAssemblyName(string stem) => $"{stem}.{Guid.NewGuid():N}";

    public string AddPlugin(string name, int priority = 200, string kind = "Oot", string? probeBody = null, string? constructorBody = null, bool export = true, bool metadata = true, string? contract = null, IEnumerable<string>? extraReferences = null, string? attributes = null, string? composition = null, string? memberSource = null)
    {
        var assemblyName = UniqueAssemblyName("Vendor." + char.ToUpperInvariant(name[0]) + name[1..]);
        var path = PluginCompiler.Compile(PluginDirectory, assemblyName,
            PluginCompiler.PlatformSource(name, priority, kind, probeBody, constructorBody, export: export, metadata: metadata, attributes: attributes, memberSource: memberSource),
            extraReferences: extraReferences, contract: contract, composition: composition);
        PluginPaths.Add(path);
        return path;
    }

    /// <summary>Compiles a contribution assembly from <paramref name="source"/> into the plugin directory.</summary>
    public string AddContribution(string stem, string source, string version = "1.0.0.0", string? contract = null)
    {
        var path = PluginCompiler.Compile(PluginDirectory, UniqueAssemblyName(stem), source, version, contract: contract);
        PluginPaths.Add(path);
        return path;
    }

    public SelectionReport Resolve()
    {
        Options.SystemRoot ??= Root.Root;
        Options.ProbeTimeoutMs ??= "3000";
        Options.PluginPath = string.Join(Path.PathSeparator, PluginPaths);
        return new PlatformResolver(Options, logger: null, entryAssembly: null).Resolve();
    }

    public void Dispose()
    {
        Root.Dispose();
        try
        {
            Directory.Delete(PluginDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Loaded plugin files may be held open; the temp directory is cleaned by the OS.
        }
    }
}
