using System.Composition;

namespace Sgl.Platforms;

/// <summary>
/// Describes an exported <see cref="Platform"/> so the host can filter and rank it before the
/// platform is constructed. Apply it next to <c>[Export(typeof(Platform))]</c>.
/// </summary>
/// <remarks>
/// This is a MEF metadata attribute: its properties become the export's metadata and are read into
/// <see cref="PlatformMetadata"/> without running any plugin code.
/// </remarks>
[MetadataAttribute]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class PlatformMetadataAttribute : Attribute
{
    /// <summary>Creates the metadata for the platform called <paramref name="name"/>.</summary>
    /// <param name="name">The platform's id: lowercase letters, digits, '-' or '_', starting with a letter (for example <c>musa</c>).</param>
    public PlatformMetadataAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The platform's id, as users write it in <c>SGL_PLATFORM</c>.</summary>
    public string Name { get; }

    /// <summary>The hardware family. Vendor plugins must use <see cref="PlatformEnum.Oot"/>.</summary>
    public PlatformEnum Kind { get; set; } = PlatformEnum.Oot;

    /// <summary>
    /// Rank among available platforms; higher wins. CPU is 0, built-in accelerators 100 and
    /// out-of-tree plugins default to <see cref="PlatformPriorities.OutOfTree"/> (200).
    /// </summary>
    public int Priority { get; set; } = PlatformPriorities.OutOfTree;

    /// <summary>Who ships the platform, shown in the selection report.</summary>
    public string Vendor { get; set; } = "";
}
