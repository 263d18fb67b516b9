using System.Reflection;

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

    /// <summary>Forgets the process's resolution (CurrentPlatform.ResetForTesting, internal to Sgl.Platforms).</summary>
    public static void Reset()
    {
        var reset = typeof(CurrentPlatform).GetMethod("ResetForTesting", BindingFlags.Static | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("CurrentPlatform.ResetForTesting is gone; update these tests to its replacement.");
        reset.Invoke(null, null);
    }
}
