namespace Sgl.Diffusion;

/// <summary>What a diffusion run produced.</summary>
public sealed record DiffusionResult
{
    /// <summary>The platform's name.</summary>
    public required string Platform { get; init; }

    /// <summary>The device the run initialised, as the probe named it.</summary>
    public string? Device { get; init; }

    /// <summary>Where the denoiser computed: the platform's device, or the host CPU (and why).</summary>
    public required string Compute { get; init; }

    /// <summary>The attention backend the platform chose (<c>SelectAttentionBackend</c>), or <c>none</c>.</summary>
    public required string AttentionBackend { get; init; }

    /// <summary>Operation kinds of a denoising step that ran on the CPU reference with copies.</summary>
    public required IReadOnlyList<string> Fallbacks { get; init; }

    /// <summary>Denoising steps run.</summary>
    public required int Steps { get; init; }

    /// <summary>Image width in pixels.</summary>
    public required int Width { get; init; }

    /// <summary>Image height in pixels.</summary>
    public required int Height { get; init; }

    /// <summary>The seed of the initial noise.</summary>
    public required int Seed { get; init; }

    /// <summary>The image as a PNG file.</summary>
    public required byte[] Png { get; init; }

    /// <summary>Seconds the denoising loop took.</summary>
    public required double Seconds { get; init; }
}
