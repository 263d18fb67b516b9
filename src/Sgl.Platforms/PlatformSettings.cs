using System.Globalization;
using System.Text.RegularExpressions;

namespace Sgl.Platforms;

/// <summary><see cref="PlatformOptions"/> checked and parsed; every error names the setting.</summary>
internal sealed partial record PlatformSettings(
    IReadOnlyList<string> PlatformPreference,
    IReadOnlySet<string>? PluginAllowlist,
    TimeSpan ProbeTimeout,
    string SystemRoot,
    IReadOnlyList<string> PluginPaths,
    string PlatformsHome,
    bool IsolateProbes = false)
{
    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The contributions allowed to compose (SGL_PLATFORM_CONTRIBUTIONS): null for all, empty for none.</summary>
    public IReadOnlySet<string>? ContributionAllowlist { get; init; }

    /// <summary>The deployer's settings for plugin parts, offered to them through MEF.</summary>
    public PluginSettings PluginSettings { get; init; } = PluginSettings.Empty;

    /// <summary>True when SGL_PLATFORM names exactly one platform.</summary>
    public bool IsForced => PlatformPreference.Count == 1;

    /// <summary>Checks a platform id: lowercase letter first, then lowercase letters, digits, '-' or '_'.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <exception cref="PlatformConfigurationException">A setting has a value that cannot be used.</exception>
    public static PlatformSettings Parse(PlatformOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PlatformSettings(
            ParseNames(options.Platform, PlatformEnvironment.Platform, nameof(PlatformOptions.Platform)),
            string.IsNullOrWhiteSpace(options.Plugins)
                ? null
                : new HashSet<string>(ParseNames(options.Plugins, PlatformEnvironment.Plugins, nameof(PlatformOptions.Plugins)), StringComparer.Ordinal),
            ParseTimeout(options.ProbeTimeoutMs),
            ParseSystemRoot(options.SystemRoot),
            string.IsNullOrWhiteSpace(options.PluginPath)
                ? []
                : options.PluginPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            string.IsNullOrWhiteSpace(options.PlatformsHome)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".sgl", "platforms")
                : FullPath(options.PlatformsHome, PlatformEnvironment.PlatformsHome, nameof(PlatformOptions.PlatformsHome)),
            ParseIsolation(options.ProbeIsolation))
        {
            ContributionAllowlist = options.Contributions?.Trim() is "none"
                ? new HashSet<string>()
                : string.IsNullOrWhiteSpace(options.Contributions)
                    ? null
                    : new HashSet<string>(ParseNames(options.Contributions, PlatformEnvironment.Contributions, nameof(PlatformOptions.Contributions), "contribution"), StringComparer.Ordinal),
            PluginSettings = PluginSettingsOf(options),
        };
    }

    /// <summary>The plugin settings of <paramref name="options"/>, which need no checking.</summary>
    public static PluginSettings PluginSettingsOf(PlatformOptions options) =>
        new(options.PluginSettings.Select(s => KeyValuePair.Create(s.Key, (IReadOnlyDictionary<string, string>)s.Value)));

    private static bool ParseIsolation(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "inprocess" or "in-process" => false,
        "process" => true,
        _ => throw new PlatformConfigurationException(
            $"{PlatformEnvironment.ProbeIsolation} (or {PlatformOptions.SectionName}:{nameof(PlatformOptions.ProbeIsolation)}) is '{value}'; " +
            "use 'process' to run probes in a child process, or 'inprocess' (the default)."),
    };

    private static string[] ParseNames(string? value, string variable, string key, string what = "platform")
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        var names = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in names)
        {
            if (!IsValidName(name))
            {
                throw new PlatformConfigurationException(
                    $"{variable} (or {PlatformOptions.SectionName}:{key}) is '{value}', and '{name}' is not a {what} name. " +
                    $"{char.ToUpperInvariant(what[0])}{what[1..]} names are lowercase ids such as {(what == "platform" ? "'cuda' or 'musa'" : "'flash' or 'fast-attn'")}, separated by commas; run 'sgl platforms list' to see them.");
            }
        }

        return names.Distinct(StringComparer.Ordinal).ToArray();
    }

    private static TimeSpan ParseTimeout(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return DefaultProbeTimeout;
        }

        if (!int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms <= 0 || ms > 600_000)
        {
            throw new PlatformConfigurationException(
                $"{PlatformEnvironment.ProbeTimeoutMs} (or {PlatformOptions.SectionName}:{nameof(PlatformOptions.ProbeTimeoutMs)}) is '{value}', " +
                "which is not a whole number of milliseconds between 1 and 600000. Set it to, for example, 5000, or unset it for the default.");
        }

        return TimeSpan.FromMilliseconds(ms);
    }

    private static string ParseSystemRoot(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "/";
        }

        var full = FullPath(value, PlatformEnvironment.SystemRoot, nameof(PlatformOptions.SystemRoot));
        if (!Directory.Exists(full))
        {
            throw new PlatformConfigurationException(
                $"{PlatformEnvironment.SystemRoot} (or {PlatformOptions.SectionName}:{nameof(PlatformOptions.SystemRoot)}) is '{value}', which is not an existing directory. " +
                "Point it at a directory that holds sys/, dev/ and proc/ (a fake system root), or unset it to probe the real machine.");
        }

        return full;
    }

    private static string FullPath(string value, string variable, string key)
    {
        try
        {
            return Path.GetFullPath(value);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new PlatformConfigurationException(
                $"{variable} (or {PlatformOptions.SectionName}:{key}) is not a usable path ({e.Message}). Set it to a directory path, or unset it.", e);
        }
    }

    [GeneratedRegex(@"\A[a-z][a-z0-9_-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
