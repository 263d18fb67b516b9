using System.Diagnostics;
using Sgl.Diffusion.Attention;
using Sgl.Diffusion.Denoiser;
using Sgl.Diffusion.Png;
using Sgl.Platforms;
using Sgl.Platforms.ExtensionPoints;

namespace Sgl.Diffusion;

/// <summary>
/// The diffusion runtime: on the same <see cref="Platform"/> as the serving runtime, it uses only the
/// diffusion members (<c>ApplyDiffusionArgsDefaults</c>, <c>GetAttnBackendClsStr</c>) and
/// <c>InitializeDevice</c>, then runs a small deterministic denoising loop and encodes the result as PNG.
/// </summary>
public static class DiffusionPipeline
{
    /// <summary>Generates an image on <paramref name="platform"/> (the current platform when null).</summary>
    /// <param name="userArgs">What the user gave; unset values are filled by the platform, then the runtime.</param>
    /// <param name="platform">The platform; <see cref="CurrentPlatform.Instance"/> when null.</param>
    /// <exception cref="InvalidDiffusionArgsException">An argument is out of range, or the attention backend is not implemented.</exception>
    public static DiffusionResult Generate(DiffusionArgs userArgs, Platform? platform = null)
    {
        ArgumentNullException.ThrowIfNull(userArgs);
        platform ??= CurrentPlatform.Instance;
        var args = DiffusionArgsDefaults.Resolve(userArgs, platform);
        var attention = DiffusionAttentionRegistry.Create(platform, args.AttentionBackend);
        platform.InitializeDevice(0, 0);
        var deviceIndex = platform.GetDeviceIndex(0);
        var devices = platform.Devices;

        var clock = Stopwatch.StartNew();
        var rgb = new TinyDenoiser(attention).Generate(args.Width!.Value, args.Height!.Value, args.Steps!.Value, args.Seed!.Value);
        var seconds = clock.Elapsed.TotalSeconds;
        return new DiffusionResult
        {
            Platform = platform.DeviceName,
            Device = deviceIndex < devices.Count ? devices[deviceIndex].Name : null,
            AttentionBackend = attention.Name,
            Steps = args.Steps.Value,
            Width = args.Width.Value,
            Height = args.Height.Value,
            Seed = args.Seed.Value,
            Png = PngEncoder.Encode(args.Width.Value, args.Height.Value, rgb),
            Seconds = seconds,
        };
    }
}
