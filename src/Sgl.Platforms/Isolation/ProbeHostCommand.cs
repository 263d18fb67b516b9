using System.Reflection;

namespace Sgl.Platforms.Isolation;

/// <summary>How to start the probe host: an <c>sgl</c> executable, or <c>dotnet sgl.dll</c>.</summary>
internal sealed record ProbeHostCommand(string FileName, IReadOnlyList<string> LeadingArguments)
{
    public const string Verb = "probe-host";

    /// <summary>The option that passes the child its end of the private result pipe.</summary>
    public const string ResultsOption = "--results";

    /// <summary>
    /// <c>SGL_PROBE_HOST</c> when set; otherwise this process when it is <c>sgl</c>; otherwise <c>sgl</c> on PATH.
    /// </summary>
    /// <exception cref="PlatformConfigurationException">No probe host can be found.</exception>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000",
        Justification = "Location is read only when sgl runs through the dotnet muxer, which is never a single-file app.")]
    public static ProbeHostCommand Locate(Func<string, string?> environment)
    {
        if (environment(PlatformEnvironment.ProbeHost) is { Length: > 0 } configured)
        {
            return configured.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
                ? new ProbeHostCommand("dotnet", [configured])
                : new ProbeHostCommand(configured, []);
        }

        var entry = Assembly.GetEntryAssembly();
        if (entry?.GetName().Name == "sgl" && Environment.ProcessPath is { } self)
        {
            var viaMuxer = Path.GetFileNameWithoutExtension(self) == "dotnet";
            return viaMuxer ? new ProbeHostCommand(self, [entry.Location]) : new ProbeHostCommand(self, []);
        }

        var onPath = (environment("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "sgl"))
            .FirstOrDefault(File.Exists);
        return onPath is not null
            ? new ProbeHostCommand(onPath, [])
            : throw new PlatformConfigurationException(
                $"{PlatformEnvironment.ProbeIsolation}=process runs probes in the 'sgl' probe host, which was not found. " +
                $"Install it (dotnet tool install --global Sgl.Cli) or set {PlatformEnvironment.ProbeHost} to the sgl executable or sgl.dll.");
    }
}
