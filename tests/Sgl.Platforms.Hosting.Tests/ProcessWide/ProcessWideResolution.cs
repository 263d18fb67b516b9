namespace Sgl.Platforms.Hosting.Tests.ProcessWide;

/// <summary>
/// Tests here resolve the process's one platform for real and reset it, so they run alone: one
/// collection, never in parallel with anything else.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideResolution
{
    public const string Name = "process-wide platform resolution";

    /// <summary>Settings under Sgl:Platforms that make real selection pick <see cref="HostingTestPlatform"/>.</summary>
    public static Dictionary<string, string?> SelectTestPlatform() => new()
    {
        ["Platform"] = HostingTestPlatform.Name,
        ["PluginPath"] = typeof(HostingTestPlatform).Assembly.Location,
    };

    /// <summary>Forgets the process's resolution.</summary>
    public static void Reset() => CurrentPlatform.ResetForTesting();
}
