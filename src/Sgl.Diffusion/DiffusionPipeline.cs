using System.Diagnostics;
using Sgl.Diffusion.Denoiser;
using Sgl.Diffusion.Png;
using Sgl.Platforms;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Diffusion;

namespace Sgl.Diffusion;

/// <summary>
/// The diffusion runtime: on the same <see cref="Platform"/> as the serving runtime, it uses the diffusion part
/// (<see cref="Platform.Diffusion"/>: argument defaults and the attention backend choice) and the device layer
/// (<see cref="Platform.OpenDevice(int, int)"/>), runs a small deterministic denoising loop on the device and
/// encodes the result as PNG.
/// </summary>
public static class DiffusionPipeline
{
    /// <summary>Generates an image on <paramref name="platform"/> (the current platform when null).</summary>
    /// <param name="userArgs">What the user gave; unset values are filled by the platform, then the runtime.</param>
    /// <param name="platform">The platform; <see cref="CurrentPlatform.Instance"/> when null.</param>
    /// <exception cref="InvalidDiffusionArgsException">An argument is out of range, or the attention backend is not offered.</exception>
    public static DiffusionResult Generate(DiffusionArgs userArgs, Platform? platform = null)
    {
        ArgumentNullException.ThrowIfNull(userArgs);
        platform ??= CurrentPlatform.Instance;
        var args = DiffusionArgsDefaults.Resolve(userArgs, platform);
        var opened = platform.OpenDevice(0, 0);
        using var device = opened ?? HostCompute.OpenDevice();
        // A platform without a device layer computes on the host, with the CPU reference's attention.
        var compute = opened is null ? HostCompute.Platform : platform;
        var backendName = opened is null
            ? compute.DefaultAttentionBackend
            : platform.Diffusion.SelectAttentionBackend(args.AttentionBackend, TinyDenoiserShape.HeadDim, ElementType.Float32);
        using var attention = CreateAttention(compute, backendName, device, platform);
        var devices = platform.Devices;

        var clock = Stopwatch.StartNew();
        using var denoiser = new TinyDenoiser(device);
        var run = denoiser.Generate(args.Width!.Value, args.Height!.Value, args.Steps!.Value, args.Seed!.Value, attention);
        var seconds = clock.Elapsed.TotalSeconds;
        return new DiffusionResult
        {
            Platform = platform.DeviceName,
            Device = device.Index < devices.Count ? devices[device.Index].Name : null,
            Compute = opened is null ? $"host CPU (platform '{platform.DeviceName}' has no device layer)" : device.ToString(),
            AttentionBackend = attention?.Name ?? "none",
            Fallbacks = run.Fallbacks,
            Steps = args.Steps.Value,
            Width = args.Width.Value,
            Height = args.Height.Value,
            Seed = args.Seed.Value,
            Png = PngEncoder.Encode(args.Width.Value, args.Height.Value, run.Rgb),
            Seconds = seconds,
        };
    }

    private static IAttentionBackend? CreateAttention(Platform compute, string? name, ComputeDevice device, Platform selected)
    {
        if (name is null)
        {
            return null;
        }

        var backends = compute.GetAttentionBackends();
        return backends.TryGetValue(name, out var factory)
            ? factory(new AttentionBackendContext(device))
            : throw new InvalidDiffusionArgsException(
                $"Attention backend '{name}' (chosen by platform '{selected.DeviceName}') is not offered; platform '{compute.DeviceName}' has: {(backends.Count == 0 ? "none" : string.Join(", ", backends.Keys.Order(StringComparer.Ordinal)))}.");
    }
}
