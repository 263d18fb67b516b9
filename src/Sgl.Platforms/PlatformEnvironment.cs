namespace Sgl.Platforms;

/// <summary>The environment variables platform selection reads.</summary>
public static class PlatformEnvironment
{
    /// <summary>One name forces that platform; a comma list is a preference order.</summary>
    public const string Platform = "SGL_PLATFORM";

    /// <summary>Allowlist of out-of-tree plugin names that may load.</summary>
    public const string Plugins = "SGL_PLATFORM_PLUGINS";

    /// <summary>Per-probe time limit in milliseconds.</summary>
    public const string ProbeTimeoutMs = "SGL_PROBE_TIMEOUT_MS";

    /// <summary>Root under which probes read sys/, dev/ and proc/.</summary>
    public const string SystemRoot = "SGL_SYSTEM_ROOT";

    /// <summary>':'-separated plugin assembly paths for development.</summary>
    public const string PluginPath = "SGL_PLATFORM_PLUGIN_PATH";

    /// <summary>Where installed plugins live.</summary>
    public const string PlatformsHome = "SGL_PLATFORMS_HOME";

    /// <summary><c>inprocess</c> (default) or <c>process</c>: where probes run.</summary>
    public const string ProbeIsolation = "SGL_PROBE_ISOLATION";

    /// <summary>The probe host executable for <c>SGL_PROBE_ISOLATION=process</c> (an <c>sgl</c> executable or <c>sgl.dll</c>); defaults to this process when it is <c>sgl</c>, else <c>sgl</c> on PATH.</summary>
    public const string ProbeHost = "SGL_PROBE_HOST";

    /// <summary>Which contributions may compose with the selected platform: unset for all, <c>none</c>, or a comma list of contribution names.</summary>
    public const string Contributions = "SGL_PLATFORM_CONTRIBUTIONS";

    /// <summary>The prefix of plugin settings given in the environment: <c>SGL_PLUGIN_SETTINGS__&lt;name&gt;__&lt;key&gt;=value</c>.</summary>
    public const string PluginSettingsPrefix = "SGL_PLUGIN_SETTINGS__";
}
