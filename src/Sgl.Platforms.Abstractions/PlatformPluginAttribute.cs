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
}
