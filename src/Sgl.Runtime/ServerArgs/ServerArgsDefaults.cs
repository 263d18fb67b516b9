using System.Globalization;
using Sgl.Platforms;
using Sgl.Platforms.Devices;
using Sgl.Runtime.Models;
using Args = Sgl.Platforms.Serving.ServerArgs;

namespace Sgl.Runtime.ServerArgs;

/// <summary>
/// Completes the user's server arguments: the platform's serving defaults fill what the user left unset, then the
/// runtime's own defaults fill the rest, then everything is checked against the model and the platform's
/// capabilities. A value the user gave always wins, even over a platform that overwrites set values.
/// </summary>
public static class ServerArgsDefaults
{
    /// <summary>The memory fraction when neither the user nor the platform sets one.</summary>
    public const double MemFractionStatic = 0.5;

    /// <summary>The prefill chunk when neither the user nor the platform sets one.</summary>
    public const int ChunkedPrefillSize = 512;

    /// <summary>Returns a completed copy of <paramref name="user"/>; the user's object is not changed.</summary>
    /// <param name="user">What the user gave (null = unset).</param>
    /// <param name="platform">The platform whose defaults and capabilities apply.</param>
    /// <exception cref="InvalidServerArgsException">A value is out of range, names a model this build does not have, or asks for what the platform cannot do.</exception>
    public static Args Resolve(Args user, Platform platform)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(platform);
        Validate(user, platform);

        var resolved = new Args();
        Overlay(resolved, user);
        platform.Serving.ApplyServerArgsDefaults(resolved);
        // Put the user's values back in case the platform overwrote any.
        Overlay(resolved, user);

        var capabilities = platform.Capabilities;
        resolved.ModelPath ??= ModelCatalog.Tiny.Name;
        var model = ModelCatalog.Find(resolved.ModelPath) ?? ModelCatalog.Tiny;
        resolved.TpSize ??= 1;
        resolved.MemFractionStatic ??= MemFractionStatic;
        resolved.DataType ??= capabilities.ElementTypes.Contains(model.DefaultDataType) ? model.DefaultDataType : ElementType.Float32;
        resolved.KvCacheDataType ??= capabilities.KvElementTypes.Contains(resolved.DataType.Value) ? resolved.DataType : ElementType.Float32;
        resolved.DisableGraphCapture ??= false;
        resolved.ChunkedPrefillSize ??= ChunkedPrefillSize;
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
        target.DataType = source.DataType ?? target.DataType;
        target.KvCacheDataType = source.KvCacheDataType ?? target.KvCacheDataType;
        target.DisableGraphCapture = source.DisableGraphCapture ?? target.DisableGraphCapture;
        target.ChunkedPrefillSize = source.ChunkedPrefillSize ?? target.ChunkedPrefillSize;
        target.DistributedBackend = source.DistributedBackend ?? target.DistributedBackend;
        target.MaxTotalTokens = source.MaxTotalTokens ?? target.MaxTotalTokens;
    }

    /// <summary>
    /// Checks what can be checked before a platform is chosen (the model name and every range), so a mistyped value
    /// is reported before any hardware is probed. <see cref="Resolve"/> checks the same and the platform's limits.
    /// </summary>
    /// <param name="user">What the user gave (null = unset).</param>
    /// <exception cref="InvalidServerArgsException">A value is out of range or names a model this build does not have.</exception>
    public static void ValidateWithoutPlatform(Args user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.ModelPath is { } model && ModelCatalog.Find(model) is null)
        {
            throw new InvalidServerArgsException(
                $"Unknown model '{model}'. This build has {string.Join(" and ", ModelCatalog.All.Select(m => $"'{m.Name}'"))} (weights generated from a seed, nothing is downloaded); pass --model-path {ModelCatalog.Tiny.Name} or leave it out.");
        }

        if (user.MemFractionStatic is { } fraction && !(fraction > 0 && fraction <= 1))
        {
            throw new InvalidServerArgsException(string.Create(CultureInfo.InvariantCulture,
                $"--mem-fraction-static must be in (0, 1], the share of free device memory the KV cache may take; got {fraction}."));
        }

        if (user.TpSize is < 1)
        {
            throw new InvalidServerArgsException(string.Create(CultureInfo.InvariantCulture, $"--tp-size must be at least 1; got {user.TpSize}."));
        }

        if (user.MaxTotalTokens is < 1)
        {
            throw new InvalidServerArgsException(string.Create(CultureInfo.InvariantCulture, $"--max-total-tokens must be at least 1; got {user.MaxTotalTokens}."));
        }

        if (user.ChunkedPrefillSize is < 1)
        {
            throw new InvalidServerArgsException(string.Create(CultureInfo.InvariantCulture, $"--chunked-prefill-size must be at least 1; got {user.ChunkedPrefillSize}."));
        }
    }

    private static void Validate(Args args, Platform platform)
    {
        ValidateWithoutPlatform(args);
        var capabilities = platform.Capabilities;
        if (args.TpSize is { } tp && tp > capabilities.MaxLocalRanks)
        {
            throw new InvalidServerArgsException(string.Create(CultureInfo.InvariantCulture,
                $"--tp-size {tp} is more than the {capabilities.MaxLocalRanks} rank(s) platform '{platform.DeviceName}' can run on this node ({platform.Devices.Count} device(s) found); use --tp-size {capabilities.MaxLocalRanks} or less."));
        }

        CheckElementType(args.DataType, capabilities.ElementTypes, "--dtype", "computes in", platform);
        CheckElementType(args.KvCacheDataType, capabilities.KvElementTypes, "--kv-cache-dtype", "stores KV caches in", platform);
    }

    private static void CheckElementType(ElementType? asked, IReadOnlySet<ElementType> supported, string option, string verb, Platform platform)
    {
        if (asked is { } type && (type == ElementType.Int32 || !supported.Contains(type)))
        {
            var names = string.Join(" or ", supported.Order());
            throw new InvalidServerArgsException($"{option} {type} is not supported by platform '{platform.DeviceName}', which {verb} {names}; use {option} {supported.Order().First()}.");
        }
    }
}
