using System.Globalization;
using Sgl.Platforms;
using Sgl.Runtime.Models.TinyModel;
using Args = Sgl.Platforms.ExtensionPoints.ServerArgs;

namespace Sgl.Runtime.ServerArgs;

/// <summary>
/// Completes the user's server arguments: the platform's <see cref="Platform.ApplyServerArgsDefaults"/>
/// fills what the user left unset, then the runtime's own defaults fill the rest, then everything is
/// validated. A value the user gave always wins, even over a platform that overwrites set values.
/// </summary>
public static class ServerArgsDefaults
{
    /// <summary>The memory fraction when neither the user nor the platform sets one.</summary>
    public const double MemFractionStatic = 0.5;

    /// <summary>Returns a completed copy of <paramref name="user"/>; the user's object is not changed.</summary>
    /// <param name="user">What the user gave (null = unset).</param>
    /// <param name="platform">The platform whose defaults apply.</param>
    /// <exception cref="InvalidServerArgsException">A value is out of range, or names a model this build does not have.</exception>
    public static Args Resolve(Args user, Platform platform)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(platform);
        Validate(user, platform);

        var resolved = new Args();
        Overlay(resolved, user);
        platform.ApplyServerArgsDefaults(resolved);
        // Put the user's values back in case the platform overwrote any.
        Overlay(resolved, user);

        resolved.ModelPath ??= TinyModelConfig.ModelName;
        resolved.TpSize ??= 1;
        resolved.MemFractionStatic ??= MemFractionStatic;
        resolved.KvCacheDataType ??= Sgl.Platforms.ExtensionPoints.KvCacheDataType.Float32;
        resolved.DisableCudaGraph ??= false;
        resolved.DistributedBackend ??= platform.DistributedBackend;
        Validate(resolved, platform);
        return resolved;
    }

    private static void Overlay(Args target, Args source)
    {
        target.ModelPath = source.ModelPath ?? target.ModelPath;
        target.TpSize = source.TpSize ?? target.TpSize;
        target.MemFractionStatic = source.MemFractionStatic ?? target.MemFractionStatic;
        target.AttentionBackend = source.AttentionBackend ?? target.AttentionBackend;
        target.KvCacheDataType = source.KvCacheDataType ?? target.KvCacheDataType;
        target.DisableCudaGraph = source.DisableCudaGraph ?? target.DisableCudaGraph;
        target.ChunkedPrefillSize = source.ChunkedPrefillSize ?? target.ChunkedPrefillSize;
        target.MaxRunningRequests = source.MaxRunningRequests ?? target.MaxRunningRequests;
        target.PageSize = source.PageSize ?? target.PageSize;
        target.DistributedBackend = source.DistributedBackend ?? target.DistributedBackend;
        target.MaxTotalTokens = source.MaxTotalTokens ?? target.MaxTotalTokens;
    }

    private static void Validate(Args args, Platform platform)
    {
        if (args.ModelPath is { } model && model != TinyModelConfig.ModelName)
        {
            throw new InvalidServerArgsException(
                $"Unknown model '{model}'. This build embeds one model, '{TinyModelConfig.ModelName}'; pass --model-path {TinyModelConfig.ModelName} or leave it out.");
        }

        if (args.MemFractionStatic is { } fraction && !(fraction > 0 && fraction <= 1))
        {
            throw new InvalidServerArgsException(string.Create(CultureInfo.InvariantCulture,
                $"--mem-fraction-static must be in (0, 1], the share of free device memory the KV cache may take; got {fraction}."));
        }

        if (args.TpSize is { } tp)
        {
            var maxRanks = platform.MaxLocalRanks;
            if (tp < 1)
            {
                throw new InvalidServerArgsException(string.Create(CultureInfo.InvariantCulture, $"--tp-size must be at least 1; got {tp}."));
            }

            if (tp > maxRanks)
            {
                throw new InvalidServerArgsException(string.Create(CultureInfo.InvariantCulture,
                    $"--tp-size {tp} is more than the {maxRanks} rank(s) platform '{platform.DeviceName}' can run on this node ({platform.Devices.Count} device(s) found); use --tp-size {maxRanks} or less."));
            }
        }

        if (args.MaxTotalTokens is < 1)
        {
            throw new InvalidServerArgsException(string.Create(CultureInfo.InvariantCulture, $"--max-total-tokens must be at least 1; got {args.MaxTotalTokens}."));
        }
    }
}
