namespace Sgl.Platforms;

/// <summary>
/// Settings the deployer gives plugins, one section per platform or contribution name (configuration section
/// <c>Sgl:Platforms:PluginSettings:&lt;name&gt;</c>, or environment variables
/// <c>Sgl__Platforms__PluginSettings__&lt;name&gt;__&lt;key&gt;</c>). A part gets it with <c>[Import]</c>.
/// </summary>
/// <remarks>Contract 1.1.</remarks>
public sealed class PluginSettings
{
    private static readonly IReadOnlyDictionary<string, string> Nothing = new Dictionary<string, string>();
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _sections;

    /// <summary>Creates the settings from their sections.</summary>
    /// <param name="sections">Each name's keys and values; names and keys compare case-insensitively.</param>
    public PluginSettings(IEnumerable<KeyValuePair<string, IReadOnlyDictionary<string, string>>> sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        _sections = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in sections)
        {
            _sections[name] = new Dictionary<string, string>(values, StringComparer.OrdinalIgnoreCase);
        }
    }

    /// <summary>No settings.</summary>
    public static PluginSettings Empty { get; } = new([]);

    /// <summary>The settings of the platform or contribution called <paramref name="name"/>; empty when the deployer gave none.</summary>
    /// <param name="name">A platform or contribution name, for example <c>musa</c>.</param>
    public IReadOnlyDictionary<string, string> For(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _sections.GetValueOrDefault(name) ?? Nothing;
    }
}
