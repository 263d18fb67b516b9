using System.Globalization;
using Sgl.Platforms;
using Sgl.Platforms.Diffusion;

namespace Sgl.Diffusion;

/// <summary>
/// Completes the user's diffusion arguments: the platform's <see cref="DiffusionHooks.ApplyDiffusionArgsDefaults"/>
/// fills what the user left unset, then the runtime's defaults, then validation. A value the user gave always wins.
/// </summary>
public static class DiffusionArgsDefaults
{
    /// <summary>Largest width or height: attention over every latent token grows with the square of the pixel count.</summary>
    public const int MaxSide = 256;

    /// <summary>Returns a completed copy of <paramref name="user"/>.</summary>
    /// <param name="user">What the user gave (null = unset).</param>
    /// <param name="platform">The platform whose defaults apply.</param>
    /// <exception cref="InvalidDiffusionArgsException">A value is out of range.</exception>
    public static DiffusionArgs Resolve(DiffusionArgs user, Platform platform)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(platform);
        var resolved = new DiffusionArgs();
        Overlay(resolved, user);
        platform.Diffusion.ApplyDiffusionArgsDefaults(resolved);
        Overlay(resolved, user);
        resolved.Steps ??= 20;
        resolved.Width ??= 64;
        resolved.Height ??= 64;
        resolved.Seed ??= 0;
        Validate(resolved);
        return resolved;
    }

    private static void Overlay(DiffusionArgs target, DiffusionArgs source)
    {
        target.Steps = source.Steps ?? target.Steps;
        target.Width = source.Width ?? target.Width;
        target.Height = source.Height ?? target.Height;
        target.AttentionBackend = source.AttentionBackend ?? target.AttentionBackend;
        target.Seed = source.Seed ?? target.Seed;
    }

    /// <summary>Checks the values the user gave, before a platform is chosen, so a mistyped value is reported before any probing.</summary>
    /// <param name="user">What the user gave (null = unset, not checked).</param>
    /// <exception cref="InvalidDiffusionArgsException">A value is out of range.</exception>
    public static void ValidateWithoutPlatform(DiffusionArgs user)
    {
        ArgumentNullException.ThrowIfNull(user);
        Validate(new DiffusionArgs { Steps = user.Steps ?? 1, Width = user.Width ?? 64, Height = user.Height ?? 64 });
    }

    private static void Validate(DiffusionArgs args)
    {
        if (args.Steps is not (>= 1 and <= 1000))
        {
            throw new InvalidDiffusionArgsException(string.Create(CultureInfo.InvariantCulture, $"--steps must be between 1 and 1000; got {args.Steps}."));
        }

        foreach (var (name, value) in new[] { ("--width", args.Width!.Value), ("--height", args.Height!.Value) })
        {
            if (value < TinyDenoiserShape.PatchSize || value > MaxSide || value % TinyDenoiserShape.PatchSize != 0)
            {
                throw new InvalidDiffusionArgsException(string.Create(CultureInfo.InvariantCulture,
                    $"{name} must be a multiple of {TinyDenoiserShape.PatchSize} between {TinyDenoiserShape.PatchSize} and {MaxSide}; got {value}."));
            }
        }
    }
}
