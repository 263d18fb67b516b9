namespace Sgl.Platforms;

/// <summary>
/// Platform selection settings. Each has an environment variable and a key under the
/// <c>Sgl:Platforms</c> configuration section; a set environment variable wins over configuration, so a
/// launcher can hand its decision to worker processes.
/// </summary>
/// <remarks>Values are kept as text and checked when selection runs, so a bad value is reported with the setting's name.</remarks>
public sealed class PlatformOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Sgl:Platforms";

    /// <summary><c>SGL_PLATFORM</c>: one name forces that platform; a comma list is a preference order.</summary>
    public string? Platform { get; set; }

    /// <summary><c>SGL_PLATFORM_PLUGINS</c>: comma list of out-of-tree plugin names allowed to load (built-ins always may).</summary>
    public string? Plugins { get; set; }

    /// <summary><c>SGL_PROBE_TIMEOUT_MS</c>: per-probe time limit in milliseconds (default 5000).</summary>
    public string? ProbeTimeoutMs { get; set; }

    /// <summary><c>SGL_SYSTEM_ROOT</c>: root under which probes read sys/, dev/ and proc/ (default <c>/</c>).</summary>
    public string? SystemRoot { get; set; }

    /// <summary><c>SGL_PLATFORM_PLUGIN_PATH</c>: ':'-separated plugin assembly paths for development.</summary>
    public string? PluginPath { get; set; }

    /// <summary><c>SGL_PLATFORMS_HOME</c>: where installed plugins live (default <c>~/.sgl/platforms</c>).</summary>
    public string? PlatformsHome { get; set; }

    /// <summary><c>SGL_PROBE_ISOLATION</c>: <c>inprocess</c> (default) or <c>process</c>, which runs probes in a short-lived child process so a crashing or hanging vendor probe cannot take the host down.</summary>
    public string? ProbeIsolation { get; set; }

    /// <summary><c>SGL_PLATFORM_CONTRIBUTIONS</c>: unset for every contribution to the selected platform, <c>none</c>, or a comma list of contribution names allowed to compose.</summary>
    public string? Contributions { get; set; }

    /// <summary>
    /// Settings for plugins, one section per platform or contribution name (configuration
    /// <c>Sgl:Platforms:PluginSettings:&lt;name&gt;:&lt;key&gt;</c>; in the process environment
    /// <c>SGL_PLUGIN_SETTINGS__&lt;name&gt;__&lt;key&gt;</c>). Parts receive them by importing <see cref="Sgl.Platforms.PluginSettings"/>.
    /// </summary>
    public Dictionary<string, Dictionary<string, string>> PluginSettings { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads the options from environment variables.</summary>
    /// <param name="environment">Reads a variable; defaults to the process environment, which also supplies <c>SGL_PLUGIN_SETTINGS__*</c>.</param>
    public static PlatformOptions FromEnvironment(Func<string, string?>? environment = null)
    {
        var options = new PlatformOptions().WithEnvironmentOverrides(environment);
        if (environment is null)
        {
            options.AddPluginSettingsFromEnvironment();
        }

        return options;
    }

    /// <summary>Adds every <c>SGL_PLUGIN_SETTINGS__&lt;name&gt;__&lt;key&gt;</c> variable of the process environment to <see cref="PluginSettings"/>.</summary>
    internal void AddPluginSettingsFromEnvironment()
    {
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string variable && variable.StartsWith(PlatformEnvironment.PluginSettingsPrefix, StringComparison.Ordinal)
                && variable[PlatformEnvironment.PluginSettingsPrefix.Length..].Split("__") is [var name, var key] && name.Length > 0 && key.Length > 0)
            {
                if (!PluginSettings.TryGetValue(name, out var section))
                {
                    PluginSettings[name] = section = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                }

                section[key] = entry.Value as string ?? "";
            }
        }
    }

    /// <summary>Returns a copy in which every set <c>SGL_*</c> environment variable replaces the configured value.</summary>
    /// <param name="environment">Reads a variable; defaults to the process environment.</param>
    public PlatformOptions WithEnvironmentOverrides(Func<string, string?>? environment = null)
    {
        var copy = (PlatformOptions)MemberwiseClone();
        copy.ApplyEnvironmentOverrides(environment ?? Environment.GetEnvironmentVariable);
        return copy;
    }

    /// <summary>Replaces, in place, every value whose <c>SGL_*</c> environment variable is set.</summary>
    internal void ApplyEnvironmentOverrides(Func<string, string?> environment)
    {
        string? Pick(string variable, string? configured) => environment(variable) is { } value ? value : configured;
        Platform = Pick(PlatformEnvironment.Platform, Platform);
        Plugins = Pick(PlatformEnvironment.Plugins, Plugins);
        ProbeTimeoutMs = Pick(PlatformEnvironment.ProbeTimeoutMs, ProbeTimeoutMs);
        SystemRoot = Pick(PlatformEnvironment.SystemRoot, SystemRoot);
        PluginPath = Pick(PlatformEnvironment.PluginPath, PluginPath);
        PlatformsHome = Pick(PlatformEnvironment.PlatformsHome, PlatformsHome);
        ProbeIsolation = Pick(PlatformEnvironment.ProbeIsolation, ProbeIsolation);
        Contributions = Pick(PlatformEnvironment.Contributions, Contributions);
    }
}
