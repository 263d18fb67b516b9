namespace Sgl.Platforms;

/// <summary>
/// Names an assembly that holds platform exports. The build-time manifest of every platform package
/// (its <c>buildTransitive</c> targets) adds one of these to the consuming application, so the host
/// finds package plugins without scanning the disk, including in single-file publishes.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
public sealed class PlatformPluginAttribute : Attribute
{
    /// <summary>Declares that the application references the platform plugin assembly <paramref name="assemblyName"/>.</summary>
    /// <param name="assemblyName">The simple name of the plugin assembly.</param>
    public PlatformPluginAttribute(string assemblyName)
    {
        AssemblyName = assemblyName;
    }

    /// <summary>The simple name of the plugin assembly.</summary>
    public string AssemblyName { get; }

    /// <summary>
    /// The plugin's index, as its package's manifest item carries it (<c>&lt;SglPlatformPlugin Include="…" Index="…" /&gt;</c>):
    /// a JSON array with each platform's name, kind, priority, contract version and <see cref="HardwareMatchAttribute"/>
    /// rules. The host matches the rules against the machine before it opens the assembly, so a plugin whose hardware is
    /// absent is reported NotPresent without its metadata being read; where the assembly is opened and disagrees, the
    /// assembly wins and the report says so. Null when the package ships no index (the assembly is always read).
    /// Contract 1.1.
    /// </summary>
    public string? Index { get; set; }
}
