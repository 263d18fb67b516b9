namespace Sgl.Platforms.Diffusion;

/// <summary>
/// The diffusion runtime's arguments. A null property means the user left it unset;
/// <see cref="DiffusionHooks.ApplyDiffusionArgsDefaults(DiffusionArgs)"/> fills only those.
/// </summary>
public sealed class DiffusionArgs
{
    /// <summary>Number of denoising steps.</summary>
    public int? Steps { get; set; }

    /// <summary>Image width in pixels.</summary>
    public int? Width { get; set; }

    /// <summary>Image height in pixels.</summary>
    public int? Height { get; set; }

    /// <summary>The attention backend by name.</summary>
    public string? AttentionBackend { get; set; }

    /// <summary>Seed for the initial noise.</summary>
    public int? Seed { get; set; }
}
