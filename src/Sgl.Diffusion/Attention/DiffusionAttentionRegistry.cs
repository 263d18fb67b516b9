using Sgl.Platforms;
using Sgl.Platforms.ExtensionPoints;

namespace Sgl.Diffusion.Attention;

/// <summary>The diffusion runtime's attention implementations, chosen by the name <see cref="Platform.GetAttnBackendClsStr"/> returns.</summary>
internal static class DiffusionAttentionRegistry
{
    private static readonly Dictionary<string, Func<IDiffusionAttention>> Implementations = new(StringComparer.Ordinal)
    {
        [SdpaAttention.BackendName] = static () => new SdpaAttention(),
    };

    /// <exception cref="InvalidDiffusionArgsException">The platform chose a backend this runtime does not implement.</exception>
    public static IDiffusionAttention Create(Platform platform, string? requested)
    {
        var name = platform.GetAttnBackendClsStr(requested, TinyDenoiserShape.HeadDim, KvCacheDataType.Float32);
        return Implementations.TryGetValue(name, out var create)
            ? create()
            : throw new InvalidDiffusionArgsException(
                $"Attention backend '{name}' (chosen by platform '{platform.DeviceName}' for --attention-backend {requested ?? "unset"}) is not implemented by the diffusion runtime; it has: {string.Join(", ", Implementations.Keys)}.");
    }
}
