namespace Sgl.Diffusion;

/// <summary>The fixed shape of the embedded denoiser.</summary>
internal static class TinyDenoiserShape
{
    /// <summary>Pixels per latent cell along each side.</summary>
    public const int PatchSize = 4;

    /// <summary>Channels per latent cell.</summary>
    public const int LatentChannels = 4;

    /// <summary>Width of the hidden state and of the single attention head.</summary>
    public const int HeadDim = 16;
}
