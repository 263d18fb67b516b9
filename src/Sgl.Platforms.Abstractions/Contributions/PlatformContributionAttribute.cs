using System.Composition;

namespace Sgl.Platforms.Contributions;

/// <summary>
/// Describes an exported contribution: a part that adds to a platform its package does not own (an attention
/// backend, a set of device operations, a communicator). Apply it next to
/// <c>[Export(typeof(AttentionBackendContribution))]</c> (or the other contribution types), and say which platform
/// it extends with <see cref="Extends"/> (a platform's name) or <see cref="ExtendsKind"/> (every platform of a kind).
/// </summary>
/// <remarks>
/// The host reads this attribute from the assembly's metadata without loading it: a contribution to a platform
/// that is not selected never loads. Contract 1.1.
/// </remarks>
[MetadataAttribute]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class PlatformContributionAttribute : Attribute
{
    /// <summary>Creates the metadata of the contribution called <paramref name="name"/>.</summary>
    /// <param name="name">The contribution's id, unique among the selected platform's parts: lowercase letters, digits, '-' or '_', starting with a letter. An attention backend is offered to <c>--attention-backend</c> under this name.</param>
    public PlatformContributionAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The contribution's id.</summary>
    public string Name { get; }

    /// <summary>The name of the platform this contribution extends, for example <c>cuda</c> or <c>musa</c>. Set this or <see cref="ExtendsKind"/>, not both.</summary>
    public string? Extends { get; set; }

    /// <summary>Extend every platform of this kind (for example <see cref="PlatformEnum.Cuda"/>). Applies only when set; set this or <see cref="Extends"/>, not both.</summary>
    public PlatformEnum ExtendsKind { get; set; }

    /// <summary>
    /// 0 (the default): the contribution fills the platform's gaps and is offered by name. Above 0: it is preferred
    /// over the platform's own parts (its attention backend becomes the default, its operations replace the
    /// device's, its communicator replaces the platform's); among preferred contributions the higher wins.
    /// <c>--attention-backend</c> and <c>SGL_PLATFORM_CONTRIBUTIONS</c> override either.
    /// </summary>
    public int Priority { get; set; }

    /// <summary>Who ships the contribution, shown in the selection report.</summary>
    public string Vendor { get; set; } = "";
}
