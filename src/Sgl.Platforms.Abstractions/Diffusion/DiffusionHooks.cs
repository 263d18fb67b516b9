using Sgl.Platforms.Devices;

namespace Sgl.Platforms.Diffusion;

/// <summary>
/// The diffusion runtime's part of a platform: diffusion-argument defaults and the choice of attention backend
/// for a denoiser's shape. Derive from this class and return it from the platform's <c>CreateDiffusionHooks</c>.
/// </summary>
public class DiffusionHooks
{
    /// <summary>Creates the part for <paramref name="platform"/>.</summary>
    /// <param name="platform">The platform it belongs to.</param>
    public DiffusionHooks(Platform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        Platform = platform;
    }

    /// <summary>The platform this part belongs to.</summary>
    public Platform Platform { get; }

    /// <summary>Fills the diffusion arguments the user left unset. Never overrides a set value. The base sets nothing.</summary>
    /// <param name="args">The arguments.</param>
    public virtual void ApplyDiffusionArgsDefaults(DiffusionArgs args) => ArgumentNullException.ThrowIfNull(args);

    /// <summary>
    /// Chooses the attention backend for a denoiser (SGLang's <c>get_attn_backend_cls_str</c>): by default the
    /// one the user asked for, else the platform's default, else null (the device's own attention, or the CPU reference).
    /// </summary>
    /// <param name="requested">The backend the user asked for, or null.</param>
    /// <param name="headDim">Elements per attention head.</param>
    /// <param name="elementType">The element type attention runs in.</param>
    /// <returns>A name from <see cref="Platform.GetAttentionBackends"/>, or null.</returns>
    public virtual string? SelectAttentionBackend(string? requested, int headDim, ElementType elementType) =>
        requested ?? Platform.DefaultAttentionBackend;
}
